using MedAnomaly.Networks;
using MedAnomaly.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>The convolutional autoencoder baseline of MedIAnomaly (Cai et al. 2024, arXiv 2404.04518): 64×64 input,
/// latent 16, base width 16.</summary>
public sealed record AutoEncoderConfig
{
    public ConvAutoencoderConfig Network { get; init; } = new();
}

/// <summary>
/// "ae": trained to reconstruct healthy slices, L(x) = mean (x − x̂)²; anomaly map = (x − x̂)² [N,1,H,W] (not weighted by
/// the foreground, as MedIAnomaly); image score = mean of the map over the pixels.
/// </summary>
public sealed class AutoEncoderDetector(AutoEncoderConfig? config = null)
    : ReconstructionDetector<AutoEncoderConfig, ConvAutoencoder>(config ?? new AutoEncoderConfig())
{
    public override string Name => "ae";

    public static AutoEncoderDetector FromJson(string? json) => new(ParseConfig<AutoEncoderConfig>(json, "ae"));

    protected override ConvAutoencoder CreateNetwork(AutoEncoderConfig config) => new(config.Network with { Variational = false });

    public override Tensor Loss(Tensor images, Tensor foreground, Generator rng) =>
        F.mse_loss(Model.forward(images).to(ScalarType.Float32), images.to(ScalarType.Float32));

    protected override AnomalyOutput ScoreBatch(Tensor images, Tensor foreground)
    {
        var reconstruction = Model.forward(images);
        var map = (images - reconstruction).square();
        return new AnomalyOutput(map, map.mean([1, 2, 3]), reconstruction.clamp(0, 1));
    }

    /// <summary>tiny: 32², base width 8; quick: the paper's network, 300 steps of 16 (sized for the 10-minute demo); paper: Adam lr 1e-3, batch 64,
    /// 250 epochs of MedIAnomaly's BraTS training set (4211 slices → 16,450 steps), no weight decay.</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(Json(TinyNetwork), Presets.Tiny, 32),
        PresetName.Quick => new(Json(new()), Presets.Tiny with { Steps = 300, BatchSize = 16 }, 64),
        _ => new(Json(new()), PaperTraining, 64),
    };

    internal static ConvAutoencoderConfig TinyNetwork => new() { InputSize = 32, BaseWidth = 8, WidthMultipliers = [1, 2, 2, 2], MidFeatures = 64, LatentSize = 8 };

    internal static TrainingOptions PaperTraining => new()
    {
        Steps = 16_450, BatchSize = 64, LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.999, WeightDecay = 0, WarmupSteps = 0,
        CosineDecay = false, GradientClip = 0,
    };

    static string Json(ConvAutoencoderConfig network) => System.Text.Json.JsonSerializer.Serialize(new AutoEncoderConfig { Network = network });
}
