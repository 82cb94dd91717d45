using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// A 2D convolution with PyTorch's <c>Conv2d</c> parameters (<c>weight</c> [out, in, k, k], <c>bias</c> [out], initialised
/// by an <c>nn.Conv2d</c>) computed as a matrix product over unfolded patches (im2col):
/// y[n] = W·unfold(x[n]) + b with W viewed as [out, in·k²]; unfold's gradient is fold (col2im), the product's a matrix
/// product, so no oneDNN convolution runs. Made by <see cref="Conv.Conv2d"/> for layers with few input channels.
/// </summary>
public sealed class UnfoldedConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly long kernelSize, stride, padding, outChannels;

    public UnfoldedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(UnfoldedConv2d))
    {
        using var template = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias);
        weight = new Parameter(template.weight!.detach().clone());
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = new Parameter(template.bias!.detach().clone());
            register_parameter("bias", this.bias);
        }
        (this.kernelSize, this.stride, this.padding, this.outChannels) = (kernelSize, stride, padding, outChannels);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.size(0), height = OutputSize(x.size(2)), width = OutputSize(x.size(3));
        var columns = F.unfold(x, kernelSize, padding: padding, stride: stride);                 // [N, in·k², H'·W']
        var y = torch.matmul(weight.view(outChannels, -1), columns);                              // [N, out, H'·W']
        if (bias is not null) y = y + bias.view(1, outChannels, 1);
        return y.view(n, outChannels, height, width).MoveToOuterDisposeScope();
    }

    long OutputSize(long size) => (size + 2 * padding - kernelSize) / stride + 1;
}

/// <summary>
/// A transposed 2D convolution with PyTorch's <c>ConvTranspose2d</c> parameters (<c>weight</c> [in, out, k, k], optional
/// <c>bias</c> [out], initialised by an <c>nn.ConvTranspose2d</c>) computed as the adjoint of <see cref="UnfoldedConv2d"/>:
/// y[n] = fold(Wᵀ·x[n]) + b with W viewed as [in, out·k²] and x[n] as [in, H·W]; fold (col2im) scatters each column to
/// its output pixels (stride, padding), its gradient is unfold. No oneDNN convolution runs. Made by
/// <see cref="Conv.ConvTranspose2d"/> for layers with few output channels.
/// </summary>
public sealed class FoldedConvTranspose2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly long kernelSize, stride, padding, inChannels, outChannels;

    public FoldedConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(FoldedConvTranspose2d))
    {
        using var template = nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: bias);
        weight = new Parameter(template.weight!.detach().clone());
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = new Parameter(template.bias!.detach().clone());
            register_parameter("bias", this.bias);
        }
        (this.kernelSize, this.stride, this.padding, this.inChannels, this.outChannels) = (kernelSize, stride, padding, inChannels, outChannels);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.size(0), height = OutputSize(x.size(2)), width = OutputSize(x.size(3));
        var columns = torch.matmul(weight.view(inChannels, -1).t(), x.reshape(n, inChannels, -1));   // [N, out·k², H·W]
        var y = F.fold(columns, (height, width), (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding));
        if (bias is not null) y = y + bias.view(1, outChannels, 1, 1);
        return y.MoveToOuterDisposeScope();
    }

    long OutputSize(long size) => (size - 1) * stride - 2 * padding + kernelSize;
}
