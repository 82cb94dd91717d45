using MedAnomaly.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>The variational autoencoder baseline of MedIAnomaly (Cai et al. 2024): the AE's network with a Gaussian latent.</summary>
public sealed record VaeConfig : IDetectorConfig
{
    public ConvAutoencoderConfig Network { get; init; } = new() { Variational = true };
    /// <summary>Weight β of the KL term (MedIAnomaly's VAELoss: 0.005).</summary>
    public double KlWeight { get; init; } = 0.005;

    public void Validate()
    {
        if (!(KlWeight >= 0) || double.IsInfinity(KlWeight)) throw new ArgumentOutOfRangeException(nameof(KlWeight), KlWeight, "the KL weight must be a finite number ≥ 0");
    }
}

/// <summary>
/// "vae" (Kingma &amp; Welling 2014) as MedIAnomaly trains it (reconstruction/utils/losses.py, VAELoss), on x' = 2x − 1:
/// <code>
/// z = μ + exp(½ log σ²) ⊙ ε,  ε ~ N(0, I) from the trainer's generator    (reparameterisation)
/// L = mean_{n,c,h,w} (x' − Dec(z))²  +  β · mean_{n,j} −½ (1 + log σ²_j − μ_j² − σ²_j)
/// </code>
/// At test time the map is (x − x̂)² in [0,1] units with x̂ from Dec(μ), the mean latent (MedIAnomaly samples z there
/// too; docs/fidelity.md).
/// </summary>
public sealed class VaeDetector(VaeConfig? config = null)
    : NetworkDetector<VaeConfig, ConvAutoencoder>(config ?? new VaeConfig())
{
    public const string MethodName = "vae";

    public override string Name => MethodName;

    public static VaeDetector FromJson(string? json) => new(DetectorJson.Parse<VaeConfig>(json, MethodName));

    protected override ConvAutoencoder CreateNetwork(VaeConfig config) => new(config.Network with { Variational = true });

    public override int Channels => Config.Network.InChannels;

    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        var x = SliceSize.Resize(images, Config.Network.InputSize, Config.Network.InputSize) * 2 - 1;
        var (mean, logVariance) = Network.Encode(x);
        var eps = torch.randn(mean.shape, generator: rng).to(mean.dtype).to(mean.device);
        var z = mean + (0.5 * logVariance!).exp() * eps;
        var reconstruction = F.mse_loss(Network.Decode(z).to(ScalarType.Float32), x.to(ScalarType.Float32));
        var mu = mean.to(ScalarType.Float32);
        var logVar = logVariance!.to(ScalarType.Float32);
        var kl = (-0.5 * (1 + logVar - mu.square() - logVar.exp())).mean();
        return reconstruction + Config.KlWeight * kl;
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var input = SliceSize.Resize(images, Config.Network.InputSize, Config.Network.InputSize) * 2 - 1;
        var reconstruction = SliceSize.Resize((Network.forward(input) + 1) / 2, images.size(2), images.size(3));   // Dec(μ)
        return ((images - reconstruction).square(), reconstruction);
    }

    /// <summary>As <see cref="AutoEncoderDetector.Preset"/>, with the variational network.</summary>
    public static DetectorPreset Preset(PresetName preset)
    {
        var ae = AutoEncoderDetector.Preset(preset);
        var network = preset == PresetName.Tiny ? AutoEncoderDetector.TinyNetwork : new ConvAutoencoderConfig();
        return ae with { ConfigJson = DetectorJson.Serialize(new VaeConfig { Network = network with { Variational = true } }) };
    }
}
