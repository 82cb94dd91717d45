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
/// v2 MICCAI 2024 arXiv 2407.06635; code snavalm/disyre): DAG corruption, T = 100 with β = linspace(1e-3, 0.2),
/// 128×128 training crops, UNet channels (32, 64, 96, 128, 256, 256) with 2 layers per block and attention at the two
/// deepest levels, mean-single-step scoring over 4 trailing timesteps (99, 74, 49, 24), sliding window with stride 32
/// and σ = 0.125·window on larger slices.
/// <para><b>Severity order</b> (<see cref="SeverityOrder"/>, default <see cref="Diffusion.SeverityOrder.CleanAtZero"/>):
/// the released code pairs a severity α with t = argmin |√ᾱ_t − α| (strong anomalies at t ≈ 0), yet its cold-diffusion
/// step treats the severity at t as √ᾱ_{T−1−t} (strong at t = T−1) and its inference starts at T−1. Mean-single-step
/// only needs training and inference to agree on the pairing, which both orders do here (the same mapping conditions
/// the network in training and the same timesteps are queried at inference); but multi-step restoration also needs
/// the a_t of its step to be the severity the network saw at t, which holds only for CleanAtZero. CleanAtZero is
/// also the ordinary diffusion reading (t = 0 clean, T−1 strongest), so the trailing steps 99, 74, 49, 24 query the
/// severities ≈ 1.0, 0.73, 0.26, 0.05 — a restoration from strong to faint. Choose AsPublished to load weights
/// trained by the released code (then the four steps query α ≈ 0.0045, 0.051, 0.27, 0.73).</para>
/// </summary>
public sealed record DisyreConfig : IDiffusionConfig
{
    /// <summary>The restoration network (x_c, t) → x̂₀, time-conditioned, 1 → 1 channel.</summary>
    public UNet2dConfig Network { get; init; } = new() { Channels = [32, 64, 96, 128, 256, 256], LayersPerBlock = 2, AttentionLevels = [4, 5] };
    public DisyreCorruption Corruption { get; init; } = DisyreCorruption.Dag;
    /// <summary>Side of the box the synthetic anomaly is drawn in (published: 64, shapes 10–44 px); other sizes scale the
    /// shape sizes with it (for slices smaller than 64 pixels).</summary>
    public int AnomalyBox { get; init; } = 64;
    public SeverityOrder SeverityOrder { get; init; } = SeverityOrder.CleanAtZero;
    /// <summary>Training crop (square) and sliding-window size; slices no larger than it go through the network whole.</summary>
    public int CropSize { get; init; } = 128;
    public int WindowStride { get; init; } = 32;
    public double WindowSigmaScale { get; init; } = SlidingWindow.DefaultSigmaScale;
    public DisyreScoring Scoring { get; init; } = DisyreScoring.MeanSingleStep;
    /// <summary>Inference timesteps, trailing spacing over T = 100 (4 → 99, 74, 49, 24).</summary>
    public int Steps { get; init; } = 4;
    /// <summary>Image score from the map: mean over H×W by default (the papers report slice-level metrics without
    /// naming a pooling in REFERENCE.md; the mean is MedIAnomaly's convention).</summary>
    public ScoreReduction ScoreReduction { get; init; } = ScoreReduction.Mean;
    public int TopK { get; init; } = 100;

    /// <summary>The published network and crop.</summary>
    public static DisyreConfig Paper => new();

    /// <summary>A smaller UNet (32, 64, 128, 128; one layer per block; attention at the lowest level), 64×64 crops.</summary>
    public static DisyreConfig Quick => new() { Network = new() { Channels = [16, 32, 64], LayersPerBlock = 1, AttentionLevels = [2] }, CropSize = 64 };

    /// <summary>A network for unit tests (16, 32 channels; with 8 channels the time-conditioned UNet2d sporadically returned NaN
    /// on this CPU), 32×32 crops and a 32-pixel anomaly box.</summary>
    public static DisyreConfig Tiny => new() { Network = new() { Channels = [16, 32], AttentionLevels = [1] }, CropSize = 32, AnomalyBox = 32 };

    /// <summary>DISYRE's optimiser: AdamW lr 1e-4, betas (0.95, 0.999), weight decay 1e-6, 500 warm-up steps, cosine decay,
    /// gradient clip 1.0, 100k steps of batch 96 in bf16.</summary>
    public static TrainingOptions PaperTraining => new()
    {
        Steps = 100_000, BatchSize = 96, LearningRate = 1e-4, Beta1 = 0.95, Beta2 = 0.999, WeightDecay = 1e-6,
        WarmupSteps = 500, CosineDecay = true, GradientClip = 1.0, Precision = Precision.BFloat16,
    };

    /// <summary>A short run sized for the 10-minute demo on 2 CPU cores (150 steps of 8, lr 1e-3, otherwise the paper's optimiser).</summary>
    public static TrainingOptions QuickTraining => PaperTraining with { Steps = 150, BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 20, Precision = Precision.Float32 };

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Network.TimeConditioned) throw new ArgumentException("DISYRE's network must be time-conditioned (Network.TimeConditioned = true)");
        if (Network.InChannels != 1 || Network.OutChannels != 1) throw new ArgumentException($"DISYRE works on 1-channel slices: Network.InChannels and OutChannels must be 1, got {Network.InChannels} → {Network.OutChannels}");
        if (CropSize < 1) throw new ArgumentOutOfRangeException(nameof(CropSize), CropSize, "the crop must be at least 1 pixel");
        if (WindowStride < 1 || WindowStride > CropSize) throw new ArgumentOutOfRangeException(nameof(WindowStride), WindowStride, $"the window stride must lie in 1 … CropSize ({CropSize})");
        if (AnomalyBox < 8) throw new ArgumentOutOfRangeException(nameof(AnomalyBox), AnomalyBox, "the anomaly box must be at least 8 pixels");
        if (Steps < 1 || Steps > 100) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "DISYRE's inference steps must lie in 1 … T = 100");
    }

    /// <summary>The corruption this config trains on (DAG or FPI with the shapes scaled to <see cref="AnomalyBox"/>).</summary>
    public ICorruption CreateCorruption()
    {
        var shapes = AnomalyBox == 64 ? new Shapes()
            : new Shapes { BoxSize = AnomalyBox, MinSize = Math.Max(2, 10 * AnomalyBox / 64), MaxSize = 44 * AnomalyBox / 64, DiscMargin = 10 * AnomalyBox / 64 };
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
/// DISYRE's objective (ISBI 2024 §2; v2 §2.1): crop, corrupt a healthy slice with a synthetic anomaly of severity α,
/// pair α with t = <see cref="SeverityToTimestep.Map"/>(α, DISYRE schedule, order), and regress the clean image:
/// loss = MSE(net(x_c, t), x₀). Intensities stay in [0,1]. Slices larger than <see cref="DisyreConfig.CropSize"/> are
/// cropped at a uniformly random position per image (drawn from the trainer's generator).
/// </summary>
public sealed class DisyreObjective(UNet2d network, DisyreConfig config) : ITrainingObjective, IDisposable
{
    readonly NoiseSchedule schedule = NoiseSchedule.Disyre();
    readonly ICorruption corruption = config.CreateCorruption();
    public nn.Module Network { get; } = network;
    public DisyreConfig Config { get; } = config;

    /// <param name="images">[N,1,H,W] healthy slices in [0,1].</param>
    /// <param name="foreground">[N,1,H,W] (the corruption finds the foreground itself, x &gt; 0).</param>
    /// <param name="rng">CPU generator: crop positions, then every draw of the corruption.</param>
    public Tensor Loss(Tensor images, Tensor foreground, Generator rng)
    {
        DdpmDetector.CheckImages(images, nameof(images));
        using var scope = torch.NewDisposeScope();
        var clean = RandomCrop(images, Config.CropSize, rng).to(ScalarType.Float32);
        using var corrupted = corruption.Apply(clean, null, rng);
        var t = SeverityToTimestep.Map(corrupted.Severity, schedule, Config.SeverityOrder).to(images.device);
        var restored = ((UNet2d)Network).forward(corrupted.Corrupted.to(images.dtype), t);
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

    public void Dispose() => schedule.Dispose();
}

/// <summary>
/// DISYRE, diffusion-inspired synthetic restoration (Marimont &amp; Tarroni, ISBI 2024; v2 "Ensembled Cold-Diffusion
/// Restorations", MICCAI 2024): an x₀-prediction network trained to undo synthetic anomalies of known severity
/// (<see cref="DisyreObjective"/>) restores real lesions towards healthy tissue; the residual is the anomaly map.
/// Scoring (<see cref="DisyreConfig.Scoring"/>): mean-single-step (v2) or multi-step cold-diffusion restoration (v1);
/// the map is multiplied by the foreground (x &gt; 0 when none is given); score = <see cref="ImageScore"/> of the map.
/// Restorations x̂₀ are clamped to [0,1] (the images' range) before residuals are taken.
/// </summary>
public sealed class Disyre : DiffusionDetector<DisyreConfig, DisyreObjective>
{
    public const string MethodName = "disyre";

    public override string Name => MethodName;

    /// <param name="config">Null = <see cref="DisyreConfig.Paper"/>.</param>
    public Disyre(DisyreConfig? config = null) : base(config ?? new DisyreConfig()) { }

    public override DisyreObjective CreateObjective() => new(Network, Config);

    /// <summary>A detector from config JSON (null or empty = <see cref="DisyreConfig.Paper"/>), the registry's factory.</summary>
    public static Disyre FromJson(string? json) => new(DetectorCheckpoint.ParseConfig<DisyreConfig>(json, MethodName));

    /// <summary>A detector with the config and weights stored by <see cref="DiffusionDetector{TConfig,TObjective}.Save"/>, on the CPU.</summary>
    public static Disyre Load(string path) => Load(path, MethodName, FromJson);

    /// <summary>Tiny (32×32 crops and anomaly box, 10 steps), Quick (64×64, a [16,32,64] UNet, 150 steps), Paper (the published network,
    /// 128×128 crops, optimiser and 100k bf16 steps).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(Json(DisyreConfig.Tiny), Presets.Tiny, 32),
        PresetName.Quick => new(Json(DisyreConfig.Quick), DisyreConfig.QuickTraining, 64),
        _ => new(Json(DisyreConfig.Paper), DisyreConfig.PaperTraining, 128),
    };

    /// <param name="images">[N,1,H,W] float32 in [0,1].</param>
    /// <param name="foreground">[N,1,H,W] {0,1}; images &gt; 0 when null.</param>
    /// <returns>Map [N,1,H,W] in [0,1], score [N], restoration [N,1,H,W] in [0,1]; on the images' device.</returns>
    public override AnomalyOutput Score(Tensor images, Tensor? foreground = null) =>
        NetworkScoring.InEvalMode(Network, images, foreground, (input, fg) => ScoreWith((x, t) => Network.forward(x, t), Config, input, fg));

    /// <summary>The scoring of <see cref="Score"/> with any restoration network (x [N,1,h,w] in [0,1], t [N] int64) → x̂₀.</summary>
    public static AnomalyOutput ScoreWith(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor images, Tensor? foreground = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        DdpmDetector.CheckImages(images, nameof(images));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var fg = DdpmDetector.Foreground(images, foreground);
        var timesteps = InferenceTimesteps.Spaced(100, config.Steps, TimestepSpacing.Trailing);
        var (map, restoration) = config.Scoring switch
        {
            DisyreScoring.MeanSingleStep => MeanSingleStep(network, config, images, timesteps),
            DisyreScoring.MultiStepRestoration => MultiStepRestoration(network, config, images, timesteps),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Scoring, "unknown DISYRE scoring"),
        };
        map = map * fg;
        var score = ImageScore.FromMap(map, config.ScoreReduction, config.TopK);
        return new AnomalyOutput(map, score, restoration).MoveToOuterDisposeScope();
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
        var restoration = sample.clamp(0, 1);
        return ((x - restoration).abs(), restoration);
    }

    /// <summary>The severity the cold-diffusion step assigns to timestep t: √ᾱ_{T−1−t} of DISYRE's schedule.</summary>
    public static double ColdSeverity(int t) => SeverityToTimestep.SeverityAt(t, order: SeverityOrder.CleanAtZero);

    /// <summary>x̂₀ = clamp(net(x, t), 0, 1), through a Gaussian-weighted sliding window when x exceeds the crop.</summary>
    static Tensor Restore(Func<Tensor, Tensor, Tensor> network, DisyreConfig config, Tensor x, int t)
    {
        var tn = torch.full([x.size(0)], t, ScalarType.Int64, x.device);
        bool fits = x.size(2) <= config.CropSize && x.size(3) <= config.CropSize;
        var x0 = fits
            ? network(x, tn)
            : SlidingWindow.Apply(patch => network(patch, tn), x, config.CropSize, config.WindowStride, config.WindowSigmaScale);
        return x0.clamp(0, 1);
    }
}
