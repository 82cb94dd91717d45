using MedAnomaly.Methods;
using MedAnomaly.Networks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Extending;

/// <summary>A method added from outside the library (docs/extending.md): one convolution trained to reproduce healthy
/// slices; the map is what it cannot reproduce.</summary>
public sealed record ToyConfig : IDetectorConfig
{
    public int Kernel { get; init; } = 5;

    public void Validate()
    {
        if (Kernel < 1 || Kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(Kernel), Kernel, "the kernel must be odd and ≥ 1");
    }
}

public sealed class ToyDetector(ToyConfig? config = null) : NetworkDetector<ToyConfig, nn.Module<Tensor, Tensor>>(config ?? new ToyConfig())
{
    public override string Name => "toy";

    public static ToyDetector FromJson(string? json) => new(DetectorJson.Parse<ToyConfig>(json, "toy"));

    public static DetectorPreset Preset(PresetName preset) => new(DetectorJson.Serialize(new ToyConfig()), Presets.Tiny);

    protected override nn.Module<Tensor, Tensor> CreateNetwork(ToyConfig config) => Conv.Conv2d(1, 1, config.Kernel, padding: config.Kernel / 2);

    public override int Channels => 1;

    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng) => F.mse_loss(Network.forward(images), images);

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var reconstruction = Network.forward(images);
        return ((images - reconstruction).abs(), reconstruction);
    }
}
