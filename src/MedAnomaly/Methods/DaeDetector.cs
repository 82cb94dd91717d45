using MedAnomaly.Corruptions;
using MedAnomaly.Networks;
using MedAnomaly.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>
/// The denoising autoencoder of Kascenas et al. ("Denoising autoencoders for unsupervised anomaly detection in brain MRI",
/// MIDL 2022): a UNet without time conditioning, trained to remove coarse noise. <see cref="Noise"/> is the published
/// setting for 128² slices (σ 0.2, noise resolution 16); <see cref="NoiseReferenceSize"/> scales the resolution with the
/// slice size (resolution · H / 128, at least 1).
/// </summary>
public sealed record DaeConfig
{
    public UNet2dConfig Network { get; init; } = new() { Channels = [32, 64, 128], AttentionLevels = [], TimeConditioned = false };
    public CoarseNoise Noise { get; init; } = new(Sigma: 0.2, Resolution: 16);
    public int NoiseReferenceSize { get; init; } = 128;
}

/// <summary>
/// "dae": loss = mean (net(x + coarse noise) − x)² (L2, as Kascenas et al.); anomaly map = |x − net(x)| × foreground
/// [N,1,H,W]; image score = mean of the map over all pixels. (Kascenas et al. also post-filter the map and score volumes;
/// that belongs to the evaluation, not here.)
/// </summary>
public sealed class DaeDetector(DaeConfig? config = null)
    : ReconstructionDetector<DaeConfig, UNet2d>(config ?? new DaeConfig())
{
    public override string Name => "dae";

    public static DaeDetector FromJson(string? json) => new(ParseConfig<DaeConfig>(json, "dae"));

    protected override UNet2d CreateNetwork(DaeConfig config) => new(config.Network with { TimeConditioned = false });

    /// <summary>The coarse noise for slices of <paramref name="size"/> pixels.</summary>
    public CoarseNoise NoiseFor(long size) =>
        Config.Noise with { Resolution = (int)Math.Max(1, Config.Noise.Resolution * size / Config.NoiseReferenceSize) };

    public override Tensor Loss(Tensor images, Tensor foreground, Generator rng)
    {
        using var noisy = NoiseFor(images.size(2)).Apply(images.to(ScalarType.Float32), null, rng);
        var restored = Model.forward(noisy.Corrupted.to(images.dtype), null);
        return F.mse_loss(restored.to(ScalarType.Float32), images.to(ScalarType.Float32));
    }

    protected override AnomalyOutput ScoreBatch(Tensor images, Tensor foreground)
    {
        var reconstruction = Model.forward(images, null);
        var map = (images - reconstruction).abs() * foreground;
        return new AnomalyOutput(map, map.mean([1, 2, 3]), reconstruction.clamp(0, 1));
    }

    /// <summary>tiny: 32², UNet (16, 32); quick: 64², UNet (16, 32, 64), 300 steps of 16 at lr 1e-3 (the denoising demo);
    /// paper: 128², UNet (32, 64, 128), AdamW lr 1e-4, batch 16, 20k steps, cosine decay (our choice of schedule).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(Json(new DaeConfig { Network = new() { Channels = [16, 32], AttentionLevels = [], TimeConditioned = false } }),
            Presets.Tiny, 32),
        PresetName.Quick => new(Json(new DaeConfig { Network = new() { Channels = [16, 32, 64], AttentionLevels = [], TimeConditioned = false } }),
            Presets.Tiny with { Steps = 150, BatchSize = 8 }, 64),
        _ => new(Json(new DaeConfig()), new TrainingOptions { Steps = 20_000, BatchSize = 16, LearningRate = 1e-4, WarmupSteps = 100 }, 128),
    };

    static string Json(DaeConfig config) => System.Text.Json.JsonSerializer.Serialize(config);
}
