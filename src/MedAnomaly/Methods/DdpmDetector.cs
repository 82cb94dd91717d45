using MedAnomaly.Corruptions;
using MedAnomaly.Diffusion;
using MedAnomaly.Networks;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>The noise of the forward process: Gaussian ε (Ho et al. 2020) or AnoDDPM's fractal simplex noise.</summary>
public enum DiffusionNoise { Gaussian, Simplex }

/// <summary>The reverse sampler of the reconstruction: DDIM (deterministic with η = 0) or ancestral DDPM.</summary>
public enum ReverseSampler { Ddim, Ddpm }

/// <summary>
/// Configuration of <see cref="DdpmDetector"/>. Defaults: Gaussian DDPM (Ho et al. 2020: linear β 1e-4 … 0.02,
/// T = 1000, ε-prediction) scored as Pinaya et al. 2022 / AnoDDPM (Wyatt et al. 2022): noise to t_start = 250,
/// reconstruct with 50 DDIM steps (η = 0), map = |x − x̂|.
/// <see cref="AnoDdpm"/> switches training and scoring noise to simplex and the sampler to ancestral DDPM.
/// </summary>
public sealed record DdpmConfig : IDetectorConfig
{
    /// <summary>The ε-network, time-conditioned; H and W of the images must be divisible by 2^(levels−1).</summary>
    public UNet2dConfig Network { get; init; } = new();
    public int NumTimesteps { get; init; } = 1000;
    /// <summary>Training draws t from 0 … TrainTimesteps − 1 (AnoDDPM: 800, its sample_distance); 0 = every timestep.</summary>
    public int TrainTimesteps { get; init; } = 0;
    public double BetaStart { get; init; } = 1e-4;
    public double BetaEnd { get; init; } = 0.02;
    /// <summary>ε of training and of the start noise at scoring.</summary>
    public DiffusionNoise Noise { get; init; } = DiffusionNoise.Gaussian;
    /// <summary>The simplex field used when <see cref="Noise"/> is Simplex (AnoDDPM: 6 octaves, persistence 0.8, frequency 64; standardised).</summary>
    public SimplexNoise Simplex { get; init; } = new();
    /// <summary>t_start, the noise level the test image is taken to (AnoDDPM λ = 250 of 1000).</summary>
    public int TStart { get; init; } = 250;
    public ReverseSampler Sampler { get; init; } = ReverseSampler.Ddim;
    /// <summary>σ²_t of the ancestral sampler's steps (AnoDDPM: fixed large, β_t).</summary>
    public DdpmVariance Variance { get; init; } = DdpmVariance.FixedSmall;
    /// <summary>Reverse steps from t_start to 0 (≤ t_start + 1).</summary>
    public int InferenceSteps { get; init; } = 50;
    public TimestepSpacing Spacing { get; init; } = TimestepSpacing.Trailing;
    /// <summary>DDIM's η (0 = deterministic).</summary>
    public double Eta { get; init; } = 0;
    /// <summary>Seeds the start noise (and the ancestral steps' noise) of every <see cref="DdpmDetector.Score"/> call, so scores are reproducible.</summary>
    public ulong ScoringSeed { get; init; } = 0;

    /// <summary>Gaussian DDPM with DDIM reconstruction (Pinaya et al. 2022; Wolleb et al. 2022 without guidance).</summary>
    public static DdpmConfig Gaussian => new();

    /// <summary>AnoDDPM (Wyatt et al. 2022; Julian-Wyatt/AnoDDPM, GaussianDiffusion.forward_backward): simplex noise (its raw
    /// octave sum with the timestep as third coordinate) for training, the start and every step; λ = 250, i.e. noised to
    /// t = 249 and ancestral steps 249 … 0 with σ²_t = β_t. Its network has UNet.py's GroupNorm of 32 groups and zero_module
    /// output layers.</summary>
    public static DdpmConfig AnoDdpm => new()
    {
        Network = AnoDdpmNetwork(128) with { GroupNormGroups = 32, ZeroInitOutputs = true },
        Noise = DiffusionNoise.Simplex, Simplex = new SimplexNoise(Normalize: false, TimestepAsThirdCoordinate: true),
        Sampler = ReverseSampler.Ddpm, Variance = DdpmVariance.FixedLarge, TStart = 249, InferenceSteps = 250, TrainTimesteps = 800,
    };

    /// <summary>AnoDDPM's UNet plan for 64×64 slices (UNet.py: channel multipliers 1, 2, 3, 4, two residual blocks per level,
    /// attention at 32, 16 and 8 pixels with 2 heads) on our residual blocks; its published base width is 128.</summary>
    public static UNet2dConfig AnoDdpmNetwork(int baseChannels) => new()
    {
        Channels = [baseChannels, 2 * baseChannels, 3 * baseChannels, 4 * baseChannels], LayersPerBlock = 2,
        AttentionLevels = [1, 2, 3], AttentionHeads = 2,
    };

    /// <summary>A network small enough for unit tests (32×32 images and up). Channels are multiples of 16: with 8 channels the
    /// time-conditioned UNet2d sporadically returned NaN on this CPU (uninitialised memory, cf. Networks/Conv.cs).</summary>
    public static DdpmConfig Tiny => new() { Network = new() { Channels = [16, 32], AttentionLevels = [1] }, InferenceSteps = 5 };

    /// <summary>
    /// The quick preset: AnoDDPM (<see cref="AnoDdpm"/>) at an eighth of its width (base 16) without the attention at 32
    /// pixels (1,024 positions: at base 32 with it a step took 7× DISYRE's quick one), reconstructed from λ in one DDIM step
    /// (x̂ = the network's estimate of x₀, eq. 9 of Song et al. 2021) instead of 250 ancestral steps, which would take a
    /// quarter of an hour per test split on 2 CPU cores (docs/methods.md, "DDPM").
    /// </summary>
    public static DdpmConfig Quick => AnoDdpm with
    {
        Network = AnoDdpmNetwork(16) with { AttentionLevels = [2, 3] }, Sampler = ReverseSampler.Ddim, InferenceSteps = 1,
    };

    /// <summary>AnoDDPM as published (<see cref="AnoDdpm"/>).</summary>
    public static DdpmConfig Paper => AnoDdpm;

    /// <summary>Training as AnoDDPM's released code (diffusion_training.py: AdamW lr 1e-4, betas (0.9, 0.999), no weight
    /// decay, gradient norm clipped to 1, EMA 0.9999 scored; args28: 3000 epochs of batch 1, here 100k steps of 16).</summary>
    public static TrainingOptions PaperTraining => new()
    {
        Steps = 100_000, BatchSize = 16, LearningRate = 1e-4, Beta1 = 0.9, Beta2 = 0.999, WeightDecay = 0,
        WarmupSteps = 0, CosineDecay = false, GradientClip = 1, EmaDecay = 0.9999,
    };

    /// <summary>The quick budget (<see cref="Presets.QuickSlices"/> slices in steps of 8, lr 1e-3 with cosine decay after 20 warm-up
    /// steps, no EMA). No gradient clipping: `make demo`'s and `make demo-weak`'s tables were measured without it
    /// (docs/fidelity.md, "AnoDDPM", measures its effect; the peer comparison sets gradientClip=1).</summary>
    public static TrainingOptions QuickTraining => Presets.Quick(PaperTraining with { BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 20, CosineDecay = true, EmaDecay = null, GradientClip = 0 });

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Network.TimeConditioned) throw new ArgumentException("DDPM's network must be time-conditioned (Network.TimeConditioned = true)");
        if (Network.InChannels != Network.OutChannels) throw new ArgumentException($"DDPM predicts the noise of its input: Network.InChannels and OutChannels must be equal (the image channels), got {Network.InChannels} → {Network.OutChannels}");
        if (NumTimesteps < 2) throw new ArgumentOutOfRangeException(nameof(NumTimesteps), NumTimesteps, "at least 2 diffusion steps");
        if (TrainTimesteps < 0 || TrainTimesteps > NumTimesteps) throw new ArgumentOutOfRangeException(nameof(TrainTimesteps), TrainTimesteps, $"must lie in 0 (every timestep) … T = {NumTimesteps}");
        if (TStart < 0 || TStart >= NumTimesteps) throw new ArgumentOutOfRangeException(nameof(TStart), TStart, $"t_start must lie in 0 … {NumTimesteps - 1}");
        if (InferenceSteps < 1 || InferenceSteps > TStart + 1) throw new ArgumentOutOfRangeException(nameof(InferenceSteps), InferenceSteps, $"reverse steps must lie in 1 … t_start + 1 = {TStart + 1}");
        if (!(BetaStart > 0 && BetaStart <= BetaEnd && BetaEnd < 1))
            throw new ArgumentOutOfRangeException(nameof(BetaEnd), BetaEnd, $"the noise schedule needs 0 < BetaStart ≤ BetaEnd < 1, got BetaStart {BetaStart}");
        if (!(Eta >= 0 && Eta <= 1)) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "DDIM's η must lie in [0, 1] (0 = deterministic, 1 = DDPM-like)");
        (Simplex ?? throw new ArgumentException("Simplex must be a simplex-noise setting, got null")).Validate();
    }

    internal NoiseSchedule CreateSchedule(Device? device = null) =>
        NoiseSchedule.FromBetas("linear", ScheduleValues.Linspace(BetaStart, BetaEnd, NumTimesteps), device);
}

/// <summary>
/// Reconstruction-based anomaly detection with an ε-prediction DDPM (Wolleb et al. 2022; Pinaya et al. 2022;
/// AnoDDPM, Wyatt et al. 2022 — the Gaussian and simplex variants are two configurations of this one method,
/// <see cref="DdpmConfig.Gaussian"/> and <see cref="DdpmConfig.AnoDdpm"/>). Trained on healthy slices rescaled to
/// [−1, 1] (<see cref="Loss"/>). Scoring: noise the image to t_start (eq. 4, Gaussian or simplex start noise),
/// denoise with <see cref="PartialDiffusion.Reconstruct(Func{Tensor,Tensor,Tensor},Tensor,int,int,IDiffusionSampler,Generator?,Tensor?,TimestepSpacing)"/>
/// (DDIM or ancestral DDPM; the ancestral steps draw the same kind of noise as training, as AnoDDPM does), map = |x − x̂|
/// in [0,1] intensity units.
/// </summary>
public sealed class DdpmDetector : NetworkDetector<DdpmConfig, nn.Module<Tensor, Tensor?, Tensor>>
{
    public const string MethodName = "ddpm";
    readonly NoiseSchedule schedule;

    public override string Name => MethodName;

    /// <param name="config">Null = <see cref="DdpmConfig.Gaussian"/>.</param>
    public DdpmDetector(DdpmConfig? config = null) : base(config ?? new DdpmConfig()) => schedule = Config.CreateSchedule();

    protected override nn.Module<Tensor, Tensor?, Tensor> CreateNetwork(DdpmConfig config) => TimeConditionedUNet.Create(config.Network);

    public override int Channels => Config.Network.InChannels;

    /// <summary>A detector from config JSON (null or empty = <see cref="DdpmConfig.Gaussian"/>), the registry's factory.</summary>
    public static DdpmDetector FromJson(string? json) => new(DetectorJson.Parse<DdpmConfig>(json, MethodName));

    /// <summary>A detector with the config and weights stored by <see cref="NetworkDetector{TConfig,TNetwork}.Save"/>, on the CPU.</summary>
    public static DdpmDetector Load(string path) => Load(path, MethodName, FromJson);

    /// <summary>Tiny (a small UNet, 10 steps), Quick (AnoDDPM at base 32, the quick budget, 1 DDIM step), Paper (AnoDDPM as published).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(DetectorJson.Serialize(DdpmConfig.Tiny), Presets.Tiny),
        PresetName.Quick => new(DetectorJson.Serialize(DdpmConfig.Quick), DdpmConfig.QuickTraining),
        _ => new(DetectorJson.Serialize(DdpmConfig.Paper), DdpmConfig.PaperTraining),
    };

    /// <summary>
    /// The ε-prediction objective (Ho et al. 2020, Algorithm 1 / eq. 14): x₀ = 2·image − 1 ∈ [−1, 1], t ~ U{0 … T'−1}
    /// (T' = <see cref="DdpmConfig.TrainTimesteps"/>, or T) then ε
    /// (Gaussian, or AnoDDPM's simplex field) from <paramref name="rng"/>, loss = mean ‖ε − ε_θ(√ᾱ_t x₀ + √(1−ᾱ_t) ε, t)‖².
    /// The whole slice is diffused (the foreground is not used).
    /// </summary>
    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        DetectorInputs.CheckImages(images, Channels);
        using var scope = torch.NewDisposeScope();
        long n = images.size(0);
        var x0 = SliceSize.PadToMultiple(images, SliceSize.UNetMultiple(Config.Network)) * 2 - 1;
        int timesteps = Config.TrainTimesteps > 0 ? Config.TrainTimesteps : Config.NumTimesteps;
        var t = torch.randint(0, timesteps, [n], ScalarType.Int64, generator: rng).to(images.device);
        var noise = SampleNoise(Config, x0.shape, t, rng, images.device).to(images.dtype);
        var xt = new GaussianDiffusion(schedule).QSample(x0, t, noise);
        var predicted = Network.forward(xt, t);
        return F.mse_loss(predicted.to(ScalarType.Float32), noise.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var reconstruction = SliceSize.Padded(x => Reconstruct((xt, t) => Network.forward(xt, t), Config, schedule, x), images, SliceSize.UNetMultiple(Config.Network));
        return ((images - reconstruction).abs(), reconstruction);
    }

    /// <summary>
    /// The reconstruction of <see cref="Residual"/> with any ε-network, e.g. a test oracle: x' = 2x − 1, x̂' = partial
    /// diffusion from <see cref="DdpmConfig.TStart"/> in <see cref="DdpmConfig.InferenceSteps"/> steps,
    /// x̂ = clamp((x̂' + 1)/2, 0, 1). Randomness comes from a generator seeded with <see cref="DdpmConfig.ScoringSeed"/>.
    /// </summary>
    /// <param name="network">(x_t [N,C,H,W] in the [−1,1] range, t [N] int64) → ε̂.</param>
    /// <param name="images">[N,C,H,W] in [0,1].</param>
    public static Tensor Reconstruct(Func<Tensor, Tensor, Tensor> network, DdpmConfig config, NoiseSchedule schedule, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        DetectorInputs.CheckImages(images, config.Network.InChannels);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator(config.ScoringSeed);
        var x = images * 2 - 1;
        var startNoise = config.Noise == DiffusionNoise.Simplex
            ? SampleNoise(config, images.shape, torch.full([images.size(0)], config.TStart, ScalarType.Int64), generator, images.device).to(images.dtype)
            : null;
        IDiffusionSampler sampler = config.Sampler switch
        {
            ReverseSampler.Ddim => new DdimScheduler(schedule, new DdimSchedulerConfig { Prediction = Prediction.Epsilon, Eta = config.Eta }),
            ReverseSampler.Ddpm => new DdpmScheduler(schedule, new DdpmSchedulerConfig { Prediction = Prediction.Epsilon, Variance = config.Variance }),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Sampler, "unknown reverse sampler"),
        };
        Func<Tensor, Tensor>? stepNoise = config.Noise == DiffusionNoise.Simplex ? t => SampleNoise(config, images.shape, t, generator, images.device).to(images.dtype) : null;
        var reconstructed = PartialDiffusion.Reconstruct(network, x, config.TStart, config.InferenceSteps, sampler, generator, startNoise, config.Spacing, stepNoise);
        return ((reconstructed + 1) / 2).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>ε [N,C,H,W] float32: standard normal, or the (standardised) simplex field, drawn from <paramref name="rng"/> on the CPU.</summary>
    internal static Tensor SampleNoise(DdpmConfig config, long[] shape, Tensor? t, Generator rng, Device device) =>
        config.Noise switch
        {
            DiffusionNoise.Gaussian => torch.randn(shape, ScalarType.Float32, generator: rng).to(device),
            DiffusionNoise.Simplex => config.Simplex.Sample(shape, t?.cpu(), rng).to(device),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Noise, "unknown diffusion noise"),
        };

    protected override void Dispose(bool disposing)
    {
        if (disposing) schedule.Dispose();
        base.Dispose(disposing);
    }
}
