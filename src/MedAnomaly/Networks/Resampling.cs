using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>Halves H and W with a stride-2 3×3 convolution (padding 1): the downsampling of Ho et al.'s UNet and diffusers'
/// <c>Downsample2D</c> (models/downsampling.py, use_conv), under the parameter name both use, <c>conv</c>.</summary>
public sealed class Downsample : nn.Module<Tensor, Tensor>
{
    protected override void RegisterComponents() { }   // registered by hand (see UNet2d)

    readonly nn.Module<Tensor, Tensor> conv;

    public Downsample(int channels) : base(nameof(Downsample))
    {
        conv = Conv.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        register_module("conv", conv);
    }

    public override Tensor forward(Tensor x) => conv.forward(x);
}

/// <summary>Doubles H and W: nearest-neighbour upsampling then a 3×3 convolution, as Ho et al.'s UNet and diffusers'
/// <c>Upsample2D</c> (models/upsampling.py, use_conv) do.</summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    protected override void RegisterComponents() { }   // registered by hand (see UNet2d)

    readonly nn.Module<Tensor, Tensor> conv;

    public Upsample(int channels) : base(nameof(Upsample))
    {
        conv = Conv.Conv2d(channels, channels, 3, padding: 1);
        register_module("conv", conv);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var upsampled = F.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Nearest);
        return conv.forward(upsampled).MoveToOuterDisposeScope();
    }
}
