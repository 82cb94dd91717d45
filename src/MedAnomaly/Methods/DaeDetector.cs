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
public sealed record DaeConfig : IDetectorConfig
{
    public UNet2dConfig Network { get; init; } = new() { Channels = [32, 64, 128], AttentionLevels = [], TimeConditioned = false };
    public CoarseNoise Noise { get; init; } = new(Sigma: 0.2, Resolution: 16);
    public int NoiseReferenceSize { get; init; } = 128;

    public void Validate()
    {
        if (Network.InChannels != Network.OutChannels) throw new ArgumentException($"the DAE restores its input: Network.InChannels and OutChannels must be equal (the image channels), got {Network.InChannels} → {Network.OutChannels}");
        if (NoiseReferenceSize < 1) throw new ArgumentOutOfRangeException(nameof(NoiseReferenceSize), NoiseReferenceSize, "must be at least 1 pixel");
        if (Noise.Resolution < 1) throw new ArgumentOutOfRangeException("Noise.Resolution", Noise.Resolution, "the coarse noise needs a resolution of at least 1");
    }
}

/// <summary>
/// "dae": loss = mean (net(x + coarse noise) − x)² (L2, as Kascenas et al.); anomaly map = |x − net(x)|.
/// </summary>
public sealed class DaeDetector(DaeConfig? config = null)
    : NetworkDetector<DaeConfig, UNet2d>(config ?? new DaeConfig())
{
    public const string MethodName = "dae";

    public override string Name => MethodName;

    public static DaeDetector FromJson(string? json) => new(DetectorJson.Parse<DaeConfig>(json, MethodName));

    protected override UNet2d CreateNetwork(DaeConfig config) => new(config.Network with { TimeConditioned = false });

    public override int Channels => Config.Network.InChannels;

    /// <summary>The coarse noise for slices of <paramref name="size"/> pixels.</summary>
    public CoarseNoise NoiseFor(long size) =>
        Config.Noise with { Resolution = (int)Math.Max(1, Config.Noise.Resolution * size / Config.NoiseReferenceSize) };

    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        var clean = SliceSize.PadToMultiple(images, SliceSize.UNetMultiple(Config.Network));
        using var noisy = NoiseFor(images.size(2)).Apply(clean.to(ScalarType.Float32), null, rng);
        var restored = Network.forward(noisy.Corrupted.to(images.dtype), null);
        return F.mse_loss(restored.to(ScalarType.Float32), clean.to(ScalarType.Float32));
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var reconstruction = SliceSize.Padded(x => Network.forward(x, null), images, SliceSize.UNetMultiple(Config.Network));
        return ((images - reconstruction).abs(), reconstruction);
    }

    /// <summary>tiny: UNet (16, 32); quick: UNet (16, 32, 64), the quick budget in batches of 8 at lr 1e-3;
    /// paper: 128², UNet (32, 64, 128), AdamW lr 1e-4, batch 16, 20k steps, cosine decay (our choice of schedule).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(DetectorJson.Serialize(new DaeConfig { Network = new() { Channels = [16, 32], AttentionLevels = [], TimeConditioned = false } }),
            Presets.Tiny),
        PresetName.Quick => new(DetectorJson.Serialize(new DaeConfig { Network = new() { Channels = [16, 32, 64], AttentionLevels = [], TimeConditioned = false } }),
            Presets.Quick(Presets.Tiny with { BatchSize = 8 })),
        _ => new(DetectorJson.Serialize(new DaeConfig()), new TrainingOptions { Steps = 20_000, BatchSize = 16, LearningRate = 1e-4, WarmupSteps = 100 }),
    };
}
