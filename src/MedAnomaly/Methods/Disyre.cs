using MedAnomaly.Corruptions;
using MedAnomaly.Diffusion;
using MedAnomaly.Networks;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>The synthetic anomaly DISYRE trains on: DAG (v2 default) or FPI (v1).</summary>
public enum DisyreCorruption { Dag, Fpi }

/// <summary>How DISYRE turns its restoration network into an anomaly map.</summary>
public enum DisyreScoring
{
    /// <summary>v2 default: x̂₀ = net(x, t) from the unchanged input at each trailing timestep; map = mean_t |x − x̂₀|.</summary>
    MeanSingleStep,
    /// <summary>v1: cold-diffusion restoration x_{t_prev} = x_t − D(x̂₀, a_t) + D(x̂₀, a_{t_prev}); map = |x − x_final|.</summary>
    MultiStepRestoration,
}

/// <summary>
/// Configuration of <see cref="Disyre"/> with the published defaults (Marimont &amp; Tarroni, ISBI 2024 arXiv 2311.15453;
/// v2 MICCAI 2024 arXiv 2407.06635; code snavalm/disyre): DAG corruption drawn in a box of half the crop, T = 100 with
/// β = linspace(1e-3, 0.2), severity α paired with t = argmin |√ᾱ_t − α| as the released code pairs them, 128×128
/// training crops, UNet channels (32, 64, 96, 128, 256, 256) with 2 layers per block, mean-single-step scoring over 4
/// trailing timesteps (99, 74, 49, 24), sliding window with stride 32 and σ = 0.125·window on larger slices.
/// docs/methods.md lists every setting and where the released code has it.
/// </summary>
public sealed record DisyreConfig : IDetectorConfig
{
    /// <summary>The restoration network (x_c, t) → x̂₀, time-conditioned, C → C channels: diffusers' UNet2DModel as the released
    /// trainer builds it (<see cref="DiffusersUNet2d.DisyreConfig"/>).</summary>
    public UNet2dConfig Network { get; init; } = DiffusersUNet2d.DisyreConfig;
    public DisyreCorruption Corruption { get; init; } = DisyreCorruption.Dag;
    /// <summary>Side of the box the synthetic anomaly is drawn in; 0 = half the crop (published: 64 in 128, shapes 10–44 px,
    /// which scale with the box).</summary>
    public int AnomalyBox { get; init; } = 0;
    public SeverityOrder SeverityOrder { get; init; } = SeverityOrder.AsPublished;
    /// <summary>Training crop (square) and sliding-window size; slices no larger than it go through the network whole.</summary>
    public int CropSize { get; init; } = 128;
    public int WindowStride { get; init; } = 32;
    public double WindowSigmaScale { get; init; } = SlidingWindow.DefaultSigmaScale;
    public DisyreScoring Scoring { get; init; } = DisyreScoring.MeanSingleStep;
    /// <summary>Inference timesteps, trailing spacing over T = 100 (4 → 99, 74, 49, 24).</summary>
    public int InferenceSteps { get; init; } = 4;

    /// <summary>The anomaly box in pixels (<see cref="AnomalyBox"/>, or half the crop).</summary>
    public int AnomalyBoxSize => AnomalyBox > 0 ? AnomalyBox : CropSize / 2;

    /// <summary>The published network and crop.</summary>
    public static DisyreConfig Paper => new();

    /// <summary>The published network at a quarter of its width (channels 8 … 64, GroupNorm groups 8), 64×64 crops.</summary>
    public static DisyreConfig Quick => new() { Network = DiffusersUNet2d.DisyreConfig with { Channels = [8, 16, 24, 32, 64, 64], GroupNormGroups = 8 }, CropSize = 64 };

    /// <summary>A network for unit tests (16, 32 channels; with 8 channels the time-conditioned UNet2d sporadically returned NaN
    /// on this CPU), 32×32 crops.</summary>
    public static DisyreConfig Tiny => new() { Network = new() { Channels = [16, 32], AttentionLevels = [1] }, CropSize = 32 };

    /// <summary>DISYRE's optimiser: AdamW lr 1e-4, betas (0.95, 0.999), weight decay 1e-6, 500 warm-up steps, cosine decay,
    /// gradient clip 1.0, 100k steps of batch 96 in bf16.</summary>
    public static TrainingOptions PaperTraining => new()
    {
        Steps = 100_000, BatchSize = 96, LearningRate = 1e-4, Beta1 = 0.95, Beta2 = 0.999, WeightDecay = 1e-6,
        WarmupSteps = 500, CosineDecay = true, GradientClip = 1.0, Precision = Precision.BFloat16,
    };

    /// <summary>The quick budget (<see cref="Presets.QuickSlices"/> slices in steps of 8, lr 1e-3, float32), otherwise the paper's optimiser.</summary>
    public static TrainingOptions QuickTraining => Presets.Quick(PaperTraining with { BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 20, Precision = Precision.Float32 });

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Network.TimeConditioned) throw new ArgumentException("DISYRE's network must be time-conditioned (Network.TimeConditioned = true)");
        if (Network.InChannels != Network.OutChannels) throw new ArgumentException($"DISYRE restores its input: Network.InChannels and OutChannels must be equal (the image channels), got {Network.InChannels} → {Network.OutChannels}");
        if (CropSize < 8 || CropSize % SliceSize.UNetMultiple(Network) != 0)
            throw new ArgumentOutOfRangeException(nameof(CropSize), CropSize, $"the crop must be at least 8 pixels and a multiple of 2^(levels − 1) = {SliceSize.UNetMultiple(Network)} for the network");
        if (WindowStride < 1 || WindowStride > CropSize) throw new ArgumentOutOfRangeException(nameof(WindowStride), WindowStride, $"the window stride must lie in 1 … CropSize ({CropSize})");
        if (!(WindowSigmaScale > 0) || double.IsInfinity(WindowSigmaScale)) throw new ArgumentOutOfRangeException(nameof(WindowSigmaScale), WindowSigmaScale, "σ/window must be a finite number > 0");
        if (AnomalyBox != 0 && (AnomalyBox < 8 || AnomalyBox > CropSize)) throw new ArgumentOutOfRangeException(nameof(AnomalyBox), AnomalyBox, $"the anomaly box must be 0 (half the crop) or lie in 8 … CropSize ({CropSize})");
        if (InferenceSteps < 1 || InferenceSteps > 100) throw new ArgumentOutOfRangeException(nameof(InferenceSteps), InferenceSteps, "DISYRE's inference steps must lie in 1 … T = 100");
    }

    /// <summary>The corruption this config trains on (DAG or FPI with the shapes scaled to the anomaly box).</summary>
    public ICorruption CreateCorruption()
    {
        int box = AnomalyBoxSize;
        var shapes = box == 64 ? new Shapes()
            : new Shapes { BoxSize = box, MinSize = Math.Max(2, 10 * box / 64), MaxSize = 44 * box / 64, DiscMargin = 10 * box / 64 };
        var fpi = new Fpi { Shapes = shapes };
        return Corruption switch
        {
            DisyreCorruption.Dag => new Dag { Texture = fpi with { Normalize = PatchNormalization.MinMax } },
            DisyreCorruption.Fpi => fpi,
            _ => throw new ArgumentOutOfRangeException(nameof(Corruption), Corruption, "unknown DISYRE corruption"),
        };
    }
}

/// <summary>
/// DISYRE, diffusion-inspired synthetic restoration (Marimont &amp; Tarroni, ISBI 2024; v2 "Ensembled Cold-Diffusion
/// Restorations", MICCAI 2024): an x₀-prediction network trained to undo synthetic anomalies of known severity
/// (<see cref="Loss"/>) restores real lesions towards healthy tissue; the residual is the anomaly map.
/// Scoring (<see cref="DisyreConfig.Scoring"/>): mean-single-step (v2) or multi-step cold-diffusion restoration (v1).
/// As in the released pipeline, the residual is taken against the network's unclamped output. The released pipeline's
/// per-slice foreground weighting is map post-processing (Metrics/MapPostProcessing.cs), applied to every method alike.
/// </summary>
public sealed class Disyre : NetworkDetector<DisyreConfig, nn.Module<Tensor, Tensor?, Tensor>>
{
    public const string MethodName = "disyre";
    readonly NoiseSchedule schedule = NoiseSchedule.Disyre();
    readonly ICorruption corruption;

    public override string Name => MethodName;

    /// <param name="config">Null = <see cref="DisyreConfig.Paper"/>.</param>
    public Disyre(DisyreConfig? config = null) : base(config ?? new DisyreConfig()) => corruption = Config.CreateCorruption();

    protected override nn.Module<Tensor, Tensor?, Tensor> CreateNetwork(DisyreConfig config) => TimeConditionedUNet.Create(config.Network);

    public override int Channels => Config.Network.InChannels;

    /// <summary>A detector from config JSON (null or empty = <see cref="DisyreConfig.Paper"/>), the registry's factory.</summary>
    public static Disyre FromJson(string? json) => new(DetectorJson.Parse<DisyreConfig>(json, MethodName));

    /// <summary>A detector with the config and weights stored by <see cref="NetworkDetector{TConfig,TNetwork}.Save"/>, on the CPU.</summary>
    public static Disyre Load(string path) => Load(path, MethodName, FromJson);

    /// <summary>Tiny (a small Ho-style UNet, 32×32 crops, 10 steps), Quick (the published network at a quarter of its width, 64×64
    /// crops, the quick budget), Paper (the published network, 128×128 crops, optimiser and 100k bf16 steps).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(DetectorJson.Serialize(DisyreConfig.Tiny), Presets.Tiny),
        PresetName.Quick => new(DetectorJson.Serialize(DisyreConfig.Quick), DisyreConfig.QuickTraining),
        _ => new(DetectorJson.Serialize(DisyreConfig.Paper), DisyreConfig.PaperTraining),
    };

    /// <summary>
    /// DISYRE's objective (ISBI 2024 §2; v2 §2.1): crop, corrupt a healthy slice with a synthetic anomaly of severity α,
    /// pair α with t = <see cref="SeverityToTimestep.Map"/>(α), and regress the clean image: loss = MSE(net(x_c, t), x₀).
    /// Intensities stay in [0,1]. Slices larger than the crop are cropped at a uniformly random position per image; every
    /// draw comes from <paramref name="rng"/> (crop positions, then the corruption's).
    /// </summary>
    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        DetectorInputs.CheckImages(images, Channels);
        using var scope = torch.NewDisposeScope();
        var clean = SliceSize.PadToMultiple(RandomCrop(images, Config.CropSize, rng), SliceSize.UNetMultiple(Config.Network)).to(ScalarType.Float32);
        using var corrupted = corruption.Apply(clean, null, rng);
        var t = SeverityToTimestep.Map(corrupted.Severity, schedule, Config.SeverityOrder).to(images.device);
        var restored = Network.forward(corrupted.Corrupted.to(images.dtype), t);
        return F.mse_loss(restored.to(ScalarType.Float32), clean).MoveToOuterDisposeScope();
    }

    /// <summary>A crop × crop window of each image at a random position (the image itself along axes no larger than the crop).</summary>
    public static Tensor RandomCrop(Tensor images, int crop, Generator rng)
    {
        long h = images.size(2), w = images.size(3);
        if (h <= crop && w <= crop) return images.alias();
        using var scope = torch.NewDisposeScope();
        long ch = Math.Min(h, crop), cw = Math.Min(w, crop);
        var tops = torch.randint(0, h - ch + 1, [images.size(0)], ScalarType.Int64, generator: rng).data<long>().ToArray();
        var lefts = torch.randint(0, w - cw + 1, [images.size(0)], ScalarType.Int64, generator: rng).data<long>().ToArray();
        var crops = new Tensor[images.size(0)];
        for (int i = 0; i < crops.Length; i++)
            crops[i] = images[i].narrow(1, tops[i], ch).narrow(2, lefts[i], cw);
        return torch.stack(crops).MoveToOuterDisposeScope();
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground) =>
        Residual((x, t) => Network.forward(x, t), Config, images);

    /// <summary>The residual map and restoration of <see cref="Disyre"/> with any restoration network (x [N,C,h,w] in [0,1],
    /// t [N] int64) → x̂₀, e.g. a test oracle.</summary>
    public static (Tensor Map, Tensor Restoration) Residual(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        DetectorInputs.CheckImages(images, config.Network.InChannels);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var timesteps = InferenceTimesteps.Spaced(100, config.InferenceSteps, TimestepSpacing.Trailing);
        var (map, restoration) = config.Scoring switch
        {
            DisyreScoring.MeanSingleStep => MeanSingleStep(network, config, images, timesteps),
            DisyreScoring.MultiStepRestoration => MultiStepRestoration(network, config, images, timesteps),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Scoring, "unknown DISYRE scoring"),
        };
        return (map.MoveToOuterDisposeScope(), restoration.MoveToOuterDisposeScope());
    }

    /// <summary>v2 (MICCAI 2024 §2.2): x̂₀^(t) = net(x, t) for each timestep from the unchanged input;
    /// map = (1/S) Σ_t |x − x̂₀^(t)|; the restoration returned is the mean x̂₀.</summary>
    static (Tensor Map, Tensor Restoration) MeanSingleStep(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor x, int[] timesteps)
    {
        Tensor map = torch.zeros_like(x), restoration = torch.zeros_like(x);
        foreach (int t in timesteps)
        {
            var x0 = Restore(network, config, x, t);
            map += (x - x0).abs();
            restoration += x0;
        }
        return (map / timesteps.Length, restoration / timesteps.Length);
    }

    /// <summary>
    /// v1 (ISBI 2024 §2.3; Bansal et al., "Cold Diffusion", 2022, Algorithm 2): starting from x_T = x,
    /// x_{t_prev} = x_t − D(x̂₀, a_t) + D(x̂₀, a_{t_prev}) with D(x₀, a) = (1 − a)·x₀ + a·x (the input is the fully
    /// degraded image), a_t = √ᾱ_{T−1−t} as the released DISYREScheduler.step takes it, and a = 0 after the last step;
    /// map = |x − x_final|.
    /// </summary>
    static (Tensor Map, Tensor Restoration) MultiStepRestoration(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor x, int[] timesteps)
    {
        var sample = x;
        for (int i = 0; i < timesteps.Length; i++)
        {
            int t = timesteps[i], tPrev = InferenceTimesteps.Previous(timesteps, i);
            var x0 = Restore(network, config, sample, t);
            double a = ColdSeverity(t), aPrev = tPrev >= 0 ? ColdSeverity(tPrev) : 0;
            Tensor Degrade(double severity) => (1 - severity) * x0 + severity * x;
            sample = sample - Degrade(a) + Degrade(aPrev);
        }
        return ((x - sample).abs(), sample);
    }

    /// <summary>The severity the cold-diffusion step assigns to timestep t: √ᾱ_{T−1−t} of DISYRE's schedule.</summary>
    public static double ColdSeverity(int t) => SeverityToTimestep.SeverityAt(t, order: SeverityOrder.CleanAtZero);

    /// <summary>x̂₀ = net(x, t), unclamped as in the released pipeline, through a Gaussian-weighted sliding window when x
    /// exceeds the crop.</summary>
    static Tensor Restore(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor x, int t)
    {
        var tn = torch.full([x.size(0)], t, ScalarType.Int64, x.device);
        bool fits = x.size(2) <= config.CropSize && x.size(3) <= config.CropSize;
        var x0 = fits
            ? SliceSize.Padded(patch => network(patch, tn), x, SliceSize.UNetMultiple(config.Network))
            : SlidingWindow.Apply(patch => network(patch, tn), x, config.CropSize, config.WindowStride, config.WindowSigmaScale);
        return x0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) schedule.Dispose();
        base.Dispose(disposing);
    }
}
