using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>Builds the UNet a <see cref="UNet2dConfig"/> describes, by its <see cref="UNet2dConfig.Layout"/>.</summary>
public static class TimeConditionedUNet
{
    /// <summary>forward(x [N, InChannels, H, W], t [N]) → [N, OutChannels, H, W].</summary>
    public static nn.Module<Tensor, Tensor?, Tensor> Create(UNet2dConfig config) => config.Layout switch
    {
        UNetLayout.Ho2020 => new UNet2d(config),
        UNetLayout.Diffusers => new DiffusersUNet2d(config),
        _ => throw new ArgumentException($"unknown UNet layout {config.Layout}"),
    };
}
