using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// 2D convolutions that train correctly on libtorch 2.10's CPU backend. Every network of MedAnomaly makes
/// its convolutions here.
/// <para>Measured here (TorchSharp 0.107, libtorch 2.10, oneDNN, AVX-512): when a float32 convolution's channel
/// counts are not multiples of oneDNN's channel block (16), oneDNN's blocked layout pads the channels and, in
/// some kernels, reads that padding without zeroing it, so uninitialised memory leaks in (errors of order 1, or
/// NaN): the <b>input gradient</b> when out_channels is not a multiple (16→1, 16→3, 16→8, 16→24 all wrong), and
/// the <b>forward pass</b> when in_channels is (24→16 gave NaN; 1, 2, 3, 4 and 8 were right). A UNet's last 32→1
/// convolution is such a layer: training diverged to NaN after 2–120 steps; a UNet with 8 base channels
/// concatenates 16 + 8 = 24 channels and gave NaN now and then. Such layers run in one of two exact forms that never
/// hand oneDNN a channel count it pads:</para>
/// <list type="bullet">
/// <item>a convolution that reads at most <see cref="FewChannels"/> channels (an image's first layer), or a transposed
/// one that writes at most that many (an image's last layer), as a matrix product over unfolded patches
/// (<see cref="UnfoldedConv2d"/>, <see cref="FoldedConvTranspose2d"/>): no oneDNN convolution at all, and a column
/// buffer of at most FewChannels·k² rows, where padding to 16 would multiply the layer's work by 16/channels (the
/// MedIAnomaly AE's 1→16 and 16→1 layers took 3× their unpadded time padded);</item>
/// <item>any other: both channel counts zero-padded to multiples of 16, the real output channels kept
/// (<see cref="PaddedConv2d"/>, also for transposed convolutions).</item>
/// </list>
/// </summary>
public static class Conv
{
    /// <summary>oneDNN's largest channel block (AVX-512).</summary>
    public const int ChannelBlock = 16;

    /// <summary>Channel counts up to which the image side of a layer is computed from unfolded patches rather than padded.</summary>
    public const int FewChannels = 4;

    /// <summary><c>nn.Conv2d</c> (same parameter names, shapes and seeded initialisation); when a channel count is not a
    /// multiple of <see cref="ChannelBlock"/>, unfolded (at most <see cref="FewChannels"/> input channels) or padded.</summary>
    public static nn.Module<Tensor, Tensor> Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true) =>
        outChannels % ChannelBlock == 0 && inChannels % ChannelBlock == 0
            ? nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias)
            : inChannels <= FewChannels
                ? new UnfoldedConv2d(inChannels, outChannels, kernelSize, stride, padding, bias)
                : new PaddedConv2d(inChannels, outChannels, kernelSize, stride, padding, bias);

    /// <summary><c>nn.ConvTranspose2d</c> (weight [in, out, k, k]); folded (at most <see cref="FewChannels"/> output
    /// channels) or padded like <see cref="Conv2d"/>.</summary>
    public static nn.Module<Tensor, Tensor> ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true) =>
        outChannels % ChannelBlock == 0 && inChannels % ChannelBlock == 0
            ? nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias)
            : outChannels <= FewChannels
                ? new FoldedConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, bias)
                : new PaddedConv2d(inChannels, outChannels, kernelSize, stride, padding, bias, transposed: true);

    /// <summary>The next multiple of <see cref="ChannelBlock"/>.</summary>
    public static long Padded(long channels) => (channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock;
}

/// <summary>
/// A 2D convolution, or transposed convolution, with PyTorch's parameters (<c>weight</c> [out, in, k, k] for
/// <c>Conv2d</c>, [in, out, k, k] for <c>ConvTranspose2d</c>; optional <c>bias</c> [out]; initialised by the PyTorch module
/// so a seeded model equals its PyTorch twin) that runs with its input and output channels zero-padded to multiples of
/// <see cref="Conv.ChannelBlock"/>, then keeps the real output channels. The padding adds exact zeros and takes zero
/// gradient. See <see cref="Conv"/>.
/// </summary>
public sealed class PaddedConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly long stride, padding, inChannels, outChannels;
    readonly bool transposed;

    public PaddedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true, bool transposed = false)
        : base(nameof(PaddedConv2d))
    {
        var (templateWeight, templateBias) = Initialised(inChannels, outChannels, kernelSize, stride, padding, bias, transposed);
        weight = new Parameter(templateWeight);
        register_parameter("weight", weight);
        if (templateBias is not null)
        {
            this.bias = new Parameter(templateBias);
            register_parameter("bias", this.bias);
        }
        (this.stride, this.padding, this.inChannels, this.outChannels, this.transposed) = (stride, padding, inChannels, outChannels, transposed);
    }

    /// <summary>The weight and bias PyTorch's module would start from (its reset_parameters under the current seed).</summary>
    static (Tensor Weight, Tensor? Bias) Initialised(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool bias, bool transposed)
    {
        if (transposed)
        {
            using var t = nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias);
            return (t.weight!.detach().clone(), t.bias?.detach().clone());
        }
        using var c = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias);
        return (c.weight!.detach().clone(), c.bias?.detach().clone());
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long extraIn = Conv.Padded(inChannels) - inChannels, extraOut = Conv.Padded(outChannels) - outChannels;
        // Zeros appended to both channel axes of the weight: [out+, in+, k, k], or [in+, out+, k, k] when transposed.
        var paddedWeight = transposed ? F.pad(weight, [0, 0, 0, 0, 0, extraOut, 0, extraIn]) : F.pad(weight, [0, 0, 0, 0, 0, extraIn, 0, extraOut]);
        var paddedBias = bias is null ? null : F.pad(bias, [0, extraOut]);
        var paddedInput = extraIn == 0 ? x : F.pad(x, [0, 0, 0, 0, 0, extraIn]);    // [N, in+, H, W]
        var y = transposed
            ? F.conv_transpose2d(paddedInput, paddedWeight, paddedBias, strides: [stride, stride], padding: [padding, padding])
            : F.conv2d(paddedInput, paddedWeight, paddedBias, strides: [stride, stride], padding: [padding, padding]);
        return y.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
