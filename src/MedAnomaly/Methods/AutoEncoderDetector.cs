using MedAnomaly.Networks;
using MedAnomaly.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>The convolutional autoencoder baseline of MedIAnomaly (Cai et al. 2024, arXiv 2404.04518): 64×64 input,
/// latent 16, base width 16.</summary>
public sealed record AutoEncoderConfig : IDetectorConfig
{
    public ConvAutoencoderConfig Network { get; init; } = new();

    public void Validate() { }
}

/// <summary>
/// "ae" as MedIAnomaly trains it: on x' = 2x − 1 (its normalisation, mean 0.5 and std 0.5), L = mean (x' − x̂')²; anomaly
/// map = (x − x̂)² in [0,1] intensity units, x̂ = (x̂' + 1)/2 (a quarter of MedIAnomaly's map: the same ranking). Slices of
/// another size than the network's input (<c>Network.InputSize</c>, 64) are resized to it and the reconstruction back,
/// as MedIAnomaly resizes its images to 64×64.
/// </summary>
public sealed class AutoEncoderDetector(AutoEncoderConfig? config = null)
    : NetworkDetector<AutoEncoderConfig, ConvAutoencoder>(config ?? new AutoEncoderConfig())
{
    public const string MethodName = "ae";

    public override string Name => MethodName;

    public static AutoEncoderDetector FromJson(string? json) => new(DetectorJson.Parse<AutoEncoderConfig>(json, MethodName));

    protected override ConvAutoencoder CreateNetwork(AutoEncoderConfig config) => new(config.Network with { Variational = false });

    public override int Channels => Config.Network.InChannels;

    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        var x = Input(images);
        return F.mse_loss(Network.forward(x).to(ScalarType.Float32), x.to(ScalarType.Float32));
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var reconstruction = SliceSize.Resize((Network.forward(Input(images)) + 1) / 2, images.size(2), images.size(3));
        return ((images - reconstruction).square(), reconstruction);
    }

    /// <summary>The network's input: slices resized to its input size, scaled to [−1, 1].</summary>
    Tensor Input(Tensor images) => SliceSize.Resize(images, Config.Network.InputSize, Config.Network.InputSize) * 2 - 1;

    /// <summary>tiny: input 32, base width 8; quick: the published network and optimiser, the quick budget in batches of 16; paper:
    /// Adam lr 1e-3, batch 64, 250 epochs of MedIAnomaly's BraTS training set (4211 slices → 16,450 steps), no weight decay.</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(DetectorJson.Serialize(new AutoEncoderConfig { Network = TinyNetwork }), Presets.Tiny),
        PresetName.Quick => new(DetectorJson.Serialize(new AutoEncoderConfig()), Presets.Quick(PaperTraining with { BatchSize = 16 })),
        _ => new(DetectorJson.Serialize(new AutoEncoderConfig()), PaperTraining),
    };

    internal static ConvAutoencoderConfig TinyNetwork => new() { InputSize = 32, BaseWidth = 8, MidFeatures = 64, LatentSize = 8 };

    internal static TrainingOptions PaperTraining => new()
    {
        Steps = 16_450, BatchSize = 64, LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.999, WeightDecay = 0, WarmupSteps = 0,
        CosineDecay = false, GradientClip = 0,
    };
}
