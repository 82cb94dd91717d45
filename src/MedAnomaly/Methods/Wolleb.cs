using MedAnomaly.Diffusion;
using MedAnomaly.Networks;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>
/// Configuration of <see cref="Wolleb"/> with the published settings (Wolleb et al., "Diffusion Models for Medical Anomaly
/// Detection", MICCAI 2022; code JuliaWolleb/diffusion-anomaly, README flags for BraTS): a DDPM with linear β 1e-4 … 0.02
/// over T = 1000, a noise-aware classifier, DDIM encoding to L = 500 and guided DDIM decoding at gradient scale s = 100,
/// every timestep (ddim1000). docs/methods.md lists each setting and where the released code has it.
/// </summary>
public sealed record WollebConfig : IDetectorConfig
{
    /// <summary>The ε-network of the unconditional DDPM, time-conditioned, C → C channels.</summary>
    public UNet2dConfig Network { get; init; } = PaperNetwork;
    /// <summary>The noise-aware classifier: the encoder half of a UNet (<see cref="EncoderClassifier"/>), time-conditioned, C input channels.</summary>
    public UNet2dConfig Classifier { get; init; } = PaperClassifier;
    public int NumTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 1e-4;
    public double BetaEnd { get; init; } = 0.02;
    /// <summary>L, the noise level a slice is encoded to (published: 500 of 1000); the decoding starts at timestep L − 1.</summary>
    public int NoiseLevel { get; init; } = 500;
    /// <summary>DDIM steps each way, spaced over 0 … L − 1 (published: L, every timestep).</summary>
    public int InferenceSteps { get; init; } = 500;
    public TimestepSpacing Spacing { get; init; } = TimestepSpacing.Trailing;
    /// <summary>s, the gradient scale of the guidance towards "healthy" (published: 100 on BraTS).</summary>
    public double GuidanceScale { get; init; } = 100;
    /// <summary>Clip x̂₀ to [−1, 1] in the decoding steps (the released sampler's clip_denoised; Algorithm 1 does not).</summary>
    public bool ClipDenoised { get; init; }

    /// <summary>The model of the README's MODEL_FLAGS for 256² slices (guided-diffusion's channel_mult (1, 1, 2, 2, 4, 4) at
    /// num_channels 128, num_res_blocks 2, attention at 16 px with 1 head, GroupNorm 32) on our residual blocks.</summary>
    public static UNet2dConfig PaperNetwork => new()
    {
        Channels = [128, 128, 256, 256, 512, 512], LayersPerBlock = 2, AttentionLevels = [4], AttentionHeads = 1, GroupNormGroups = 32,
    };

    /// <summary>The classifier of the README's CLASSIFIER_FLAGS for 256² slices: width 32, depth 4, attention at 32, 16 and 8 px
    /// with 64 channels per head (create_classifier's num_head_channels), GroupNorm 32.</summary>
    public static UNet2dConfig PaperClassifier => new()
    {
        Channels = [32, 32, 64, 64, 128, 128], LayersPerBlock = 4, AttentionLevels = [3, 4, 5], AttentionHeadDim = 64, GroupNormGroups = 32,
    };

    /// <summary>As published.</summary>
    public static WollebConfig Paper => new();

    /// <summary>The quick preset: the DDPM quick preset's network (AnoDDPM's plan at base 32, <see cref="DdpmConfig.AnoDdpmNetwork"/>),
    /// the encoder of the same plan as classifier, L = 500 in 10 DDIM steps each way.</summary>
    public static WollebConfig Quick => new()
    {
        Network = DdpmConfig.AnoDdpmNetwork(32),
        Classifier = DdpmConfig.AnoDdpmNetwork(32) with { AttentionLevels = [2, 3] },
        InferenceSteps = 10,
    };

    /// <summary>Networks small enough for unit tests; 3 DDIM steps each way.</summary>
    public static WollebConfig Tiny => new()
    {
        Network = new() { Channels = [16, 32], AttentionLevels = [1] },
        Classifier = new() { Channels = [16, 32], AttentionLevels = [1] },
        InferenceSteps = 3,
    };

    /// <summary>Training as the released scripts (image_train.py, classifier_train.py): AdamW lr 1e-4 (the README's TRAIN_FLAGS
    /// for both), batch 10, no weight decay, no clipping, EMA 0.9999 (the DDPM's ema_rate); 150,000 steps (classifier_train.py's
    /// iterations; image_train.py runs until stopped).</summary>
    public static TrainingOptions PaperTraining => new()
    {
        Steps = 150_000, BatchSize = 10, LearningRate = 1e-4, Beta1 = 0.9, Beta2 = 0.999, WeightDecay = 0,
        WarmupSteps = 0, CosineDecay = false, GradientClip = 0, EmaDecay = 0.9999,
    };

    /// <summary>The quick budget (<see cref="Presets.QuickSlices"/> slices in steps of 8, lr 1e-3 with cosine decay after 20
    /// warm-up steps, no EMA), as the DDPM's quick preset.</summary>
    public static TrainingOptions QuickTraining => Presets.Quick(PaperTraining with { BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 20, CosineDecay = true, EmaDecay = null });

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Network.TimeConditioned || !Classifier.TimeConditioned)
            throw new ArgumentException("Wolleb's DDPM and noise-aware classifier are time-conditioned (Network.TimeConditioned and Classifier.TimeConditioned = true)");
        if (Network.InChannels != Network.OutChannels || Classifier.InChannels != Network.InChannels)
            throw new ArgumentException($"Network.InChannels, Network.OutChannels and Classifier.InChannels must all be the image channels, got {Network.InChannels} → {Network.OutChannels} and {Classifier.InChannels}");
        if (Classifier.Layout != UNetLayout.Ho2020) throw new ArgumentException($"the classifier is the encoder of UNet2d: Classifier.Layout must be Ho2020, got {Classifier.Layout}");
        Classifier.Validate();
        if (NumTimesteps < 2) throw new ArgumentOutOfRangeException(nameof(NumTimesteps), NumTimesteps, "at least 2 diffusion steps");
        if (NoiseLevel < 1 || NoiseLevel > NumTimesteps) throw new ArgumentOutOfRangeException(nameof(NoiseLevel), NoiseLevel, $"L must lie in 1 … T = {NumTimesteps}");
        if (InferenceSteps < 1 || InferenceSteps > NoiseLevel) throw new ArgumentOutOfRangeException(nameof(InferenceSteps), InferenceSteps, $"DDIM steps must lie in 1 … L = {NoiseLevel}");
        if (!double.IsFinite(GuidanceScale) || GuidanceScale < 0) throw new ArgumentOutOfRangeException(nameof(GuidanceScale), GuidanceScale, "s must be a finite number ≥ 0 (0 = no guidance)");
    }

    internal NoiseSchedule CreateSchedule() => NoiseSchedule.FromBetas("linear", ScheduleValues.Linspace(BetaStart, BetaEnd, NumTimesteps));

    /// <summary>The multiple of H and W both networks need.</summary>
    internal int Multiple => Math.Max(SliceSize.UNetMultiple(Network), SliceSize.UNetMultiple(Classifier));
}

/// <summary>Wolleb et al.'s two networks as one module (children "diffusion" and "classifier"), so the one network of
/// <see cref="NetworkDetector{TConfig,TNetwork}"/> trains, saves, loads and moves both.</summary>
public sealed class WollebNetworks : nn.Module
{
    protected override void RegisterComponents() { }

    /// <summary>ε_θ(x_t, t).</summary>
    public nn.Module<Tensor, Tensor?, Tensor> Diffusion { get; }
    /// <summary>C_ψ(y | x_t, t): logits [N, 2] (0 healthy, 1 diseased).</summary>
    public EncoderClassifier Classifier { get; }

    public WollebNetworks(WollebConfig config) : base(nameof(WollebNetworks))
    {
        Diffusion = TimeConditionedUNet.Create(config.Network);
        Classifier = new EncoderClassifier(config.Classifier, classes: 2);
        register_module("diffusion", Diffusion);
        register_module("classifier", Classifier);
    }
}

/// <summary>
/// Wolleb et al., "Diffusion Models for Medical Anomaly Detection" (MICCAI 2022): weakly supervised, trained on healthy and
/// diseased slices with an image-level label each. An unconditional DDPM and a noise-aware classifier are trained together
/// (<see cref="Loss"/>); a slice is DDIM-encoded to noise level L (<see cref="DdimInversion"/>) and DDIM-decoded with
/// classifier guidance towards "healthy" at scale s (<see cref="ClassifierGuidance"/>); the map is |x − x̂| summed over
/// the channels (Algorithm 1).
/// </summary>
public sealed class Wolleb : NetworkDetector<WollebConfig, WollebNetworks>
{
    public const string MethodName = "wolleb";
    /// <summary>The label guided towards.</summary>
    public const int Healthy = 0;
    readonly NoiseSchedule schedule;

    public override string Name => MethodName;
    public override Supervision Supervision => Supervision.ImageLabels;
    public override int Channels => Config.Network.InChannels;

    /// <param name="config">Null = <see cref="WollebConfig.Paper"/>.</param>
    public Wolleb(WollebConfig? config = null) : base(config ?? new WollebConfig()) => schedule = Config.CreateSchedule();

    protected override WollebNetworks CreateNetwork(WollebConfig config) => new(config);

    /// <summary>A detector from config JSON (null or empty = <see cref="WollebConfig.Paper"/>), the registry's factory.</summary>
    public static Wolleb FromJson(string? json) => new(DetectorJson.Parse<WollebConfig>(json, MethodName));

    /// <summary>Tiny (small networks, 3 steps), Quick (the DDPM quick network, 10 steps each way, the quick budget), Paper (as published).</summary>
    public static DetectorPreset Preset(PresetName preset) => preset switch
    {
        PresetName.Tiny => new(DetectorJson.Serialize(WollebConfig.Tiny), Presets.Tiny with { GradientClip = 0 }),
        PresetName.Quick => new(DetectorJson.Serialize(WollebConfig.Quick), WollebConfig.QuickTraining),
        _ => new(DetectorJson.Serialize(WollebConfig.Paper), WollebConfig.PaperTraining),
    };

    /// <summary>
    /// Both objectives at once, on x₀ = 2·image − 1: the DDPM's (Ho et al. 2020, eq. 14) with t, ε drawn for it, plus the
    /// classifier's cross-entropy on the labels of images noised at their own t', ε' (classifier_train.py, noised = True,
    /// uniform t'). The networks share no parameter and the trainer clips nothing, so AdamW updates each as if it were
    /// trained alone on the same batches.
    /// </summary>
    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        DetectorInputs.CheckImages(images, Channels);
        using var scope = torch.NewDisposeScope();
        long n = images.size(0);
        var x0 = SliceSize.PadToMultiple(images, Config.Multiple) * 2 - 1;
        var diffusion = new GaussianDiffusion(schedule);
        Tensor Noised(out Tensor t, out Tensor noise)
        {
            t = torch.randint(0, Config.NumTimesteps, [n], ScalarType.Int64, generator: rng).to(images.device);
            noise = torch.randn(x0.shape, ScalarType.Float32, generator: rng).to(images.device).to(images.dtype);
            return diffusion.QSample(x0, t, noise);
        }
        var xt = Noised(out var t, out var eps);
        var denoising = F.mse_loss(Network.Diffusion.forward(xt, t).to(ScalarType.Float32), eps.to(ScalarType.Float32));
        var xc = Noised(out var tc, out _);
        var classification = F.cross_entropy(Network.Classifier.forward(xc, tc).to(ScalarType.Float32), labels.to(images.device));
        return (denoising + classification).MoveToOuterDisposeScope();
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground)
    {
        var translated = SliceSize.Padded(x => Translate((xt, t) => Network.Diffusion.forward(xt, t), (xt, t) => Network.Classifier.forward(xt, t), Config, schedule, x),
            images, Config.Multiple);
        return ((images - translated).abs(), translated);
    }

    /// <summary>
    /// Algorithm 1 with any networks, e.g. test oracles: x' = 2x − 1 DDIM-encoded through the timesteps spaced over
    /// 0 … L − 1, then decoded with guided DDIM steps towards <see cref="Healthy"/>; the healthy translation
    /// x̂ = clamp((x̂' + 1)/2, 0, 1). Deterministic.
    /// </summary>
    /// <param name="epsilon">(x_t [N,C,H,W] in the [−1,1] range, t [N] int64) → ε̂.</param>
    /// <param name="classifier">(x_t, t) → logits [N, 2].</param>
    /// <param name="images">[N,C,H,W] in [0,1].</param>
    public static Tensor Translate(Func<Tensor, Tensor, Tensor> epsilon, Func<Tensor, Tensor, Tensor> classifier, WollebConfig config,
                                   NoiseSchedule schedule, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        DetectorInputs.CheckImages(images, config.Network.InChannels);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var timesteps = InferenceTimesteps.SpacedFrom(config.NoiseLevel - 1, config.InferenceSteps, config.Spacing);
        var sampler = new DdimScheduler(schedule, new DdimSchedulerConfig { Prediction = Prediction.Epsilon, Eta = 0, ClipSample = config.ClipDenoised });
        var sample = DdimInversion.Encode(epsilon, images * 2 - 1, timesteps, schedule);
        for (int i = 0; i < timesteps.Length; i++)
        {
            using var stepScope = torch.NewDisposeScope();
            var next = ClassifierGuidance.Step(epsilon, classifier, sample, timesteps[i], InferenceTimesteps.Previous(timesteps, i),
                config.GuidanceScale, Healthy, sampler).MoveToOuterDisposeScope();
            sample.Dispose();
            sample = next;
        }
        return ((sample + 1) / 2).clamp(0, 1).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) schedule.Dispose();
        base.Dispose(disposing);
    }
}
