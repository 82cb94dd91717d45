using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks.Diffusers;

/// <summary>diffusers' <c>Downsample2D</c> (models/downsampling.py, use_conv, padding 1): a stride-2 3×3 convolution.</summary>
internal sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public Downsample2D(int channels) : base(nameof(Downsample2D))
    {
        conv = Conv.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        register_module("conv", conv);
    }

    public override Tensor forward(Tensor x) => conv.forward(x);
}

/// <summary>diffusers' <c>Upsample2D</c> (models/upsampling.py, use_conv): nearest-neighbour ×2, then a 3×3 convolution.</summary>
internal sealed class Upsample2D : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public Upsample2D(int channels) : base(nameof(Upsample2D))
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
