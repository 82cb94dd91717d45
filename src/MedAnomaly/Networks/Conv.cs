using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// 2D convolutions that train correctly on libtorch 2.10's CPU backend. Every network of MedAnomaly makes
/// its convolutions here.
/// <para>Measured here (TorchSharp 0.107, libtorch 2.10, oneDNN): the input gradient of a float32
/// convolution whose <b>out_channels is not a multiple of oneDNN's channel block</b> (8 with AVX2, 16 with
/// AVX-512) is wrong — the transposed convolution that computes it reads the channel padding of oneDNN's
/// blocked layout without zeroing it, so uninitialised memory leaks in (errors of order 1, or NaN). The
/// forward pass and the weight gradient are right. A UNet's last 32→1 convolution is exactly such a layer:
/// training diverged to NaN after 2–120 steps. <see cref="PaddedOutputConv2d"/> computes the convolution with
/// its out-channels zero-padded to a multiple of 16 and keeps the first ones, so oneDNN never pads.</para>
/// </summary>
public static class Conv
{
    /// <summary>oneDNN's largest channel block (AVX-512).</summary>
    public const int ChannelBlock = 16;

    /// <summary><c>nn.Conv2d</c> (same parameter names, shapes and seeded initialisation), padded when
    /// <paramref name="outChannels"/> is not a multiple of <see cref="ChannelBlock"/>.</summary>
    public static nn.Module<Tensor, Tensor> Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0) =>
        outChannels % ChannelBlock == 0
            ? nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding)
            : new PaddedOutputConv2d(inChannels, outChannels, kernelSize, stride, padding);
}

/// <summary>
/// A 2D convolution with PyTorch's <c>Conv2d</c> parameters (<c>weight</c> [out, in, k, k], <c>bias</c> [out],
/// initialised by an <c>nn.Conv2d</c> so a seeded model equals its PyTorch twin) that runs as a convolution with
/// out-channels zero-padded to a multiple of <see cref="Conv.ChannelBlock"/>, then keeps the first
/// out-channels. The extra output channels are exactly zero and receive zero gradient. See <see cref="Conv"/>.
/// </summary>
public sealed class PaddedOutputConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight, bias;
    readonly long stride, padding, outChannels, paddedChannels;

    public PaddedOutputConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0)
        : base(nameof(PaddedOutputConv2d))
    {
        using var template = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding);
        weight = new Parameter(template.weight!.detach().clone());
        bias = new Parameter(template.bias!.detach().clone());
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        (this.stride, this.padding, this.outChannels) = (stride, padding, outChannels);
        paddedChannels = (outChannels + Conv.ChannelBlock - 1) / Conv.ChannelBlock * Conv.ChannelBlock;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long extra = paddedChannels - outChannels;
        var paddedWeight = F.pad(weight, [0, 0, 0, 0, 0, 0, 0, extra]);   // [out+extra, in, k, k], zeros appended
        var paddedBias = F.pad(bias, [0, extra]);
        var y = F.conv2d(x, paddedWeight, paddedBias, strides: [stride, stride], padding: [padding, padding]);
        return y.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
