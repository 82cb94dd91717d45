using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>DDIM sampler settings; defaults as diffusers' DDIMScheduler (η = 0: deterministic; x̂₀ clipped to [−1, 1]).</summary>
public sealed record DdimSchedulerConfig
{
    public Prediction Prediction { get; init; } = Prediction.Epsilon;
    /// <summary>η of eq. 16: 0 = DDIM (deterministic), 1 = DDPM-like ancestral sampling.</summary>
    public double Eta { get; init; } = 0.0;
    /// <summary>Clamp x̂₀ to [−ClipRange, ClipRange].</summary>
    public bool ClipSample { get; init; } = true;
    public double ClipRange { get; init; } = 1.0;
    /// <summary>Re-derive ε̂ from the clipped x̂₀ before the direction term (GLIDE / guided-diffusion always do; diffusers' default does not).</summary>
    public bool UseClippedModelOutput { get; init; } = false;
}

/// <summary>
/// The DDIM step (Song, Meng &amp; Ermon, "Denoising Diffusion Implicit Models", ICLR 2021, eq. 12), as diffusers'
/// DDIMScheduler.step:
/// x_{t_prev} = √ᾱ_{t_prev} x̂₀ + √(1 − ᾱ_{t_prev} − σ²_t) ε̂ + σ_t z,
/// σ_t = η √((1−ᾱ_{t_prev})/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_{t_prev}) (eq. 16). ᾱ_{−1} = 1 (set_alpha_to_one).
/// t_prev is the next timestep of the caller's schedule (diffusers computes t − T/n, the same for leading spacing).
/// </summary>
public sealed class DdimScheduler(NoiseSchedule schedule, DdimSchedulerConfig? config = null) : IDiffusionSampler
{
    public NoiseSchedule Schedule { get; } = schedule ?? throw new ArgumentNullException(nameof(schedule));
    public DdimSchedulerConfig Config { get; } = Validated(config ?? new DdimSchedulerConfig());
    public Prediction Prediction => Config.Prediction;

    static DdimSchedulerConfig Validated(DdimSchedulerConfig config)
    {
        if (!(config.Eta >= 0 && double.IsFinite(config.Eta)))
            throw new ArgumentOutOfRangeException(nameof(config), config.Eta, "DDIM's η must be a finite number ≥ 0");
        SamplerChecks.CheckClipRange(config.ClipRange);
        return config;
    }

    public SchedulerStepOutput Step(Tensor modelOutput, int t, int tPrev, Tensor sample, Generator? generator = null, Tensor? varianceNoise = null)
    {
        SamplerChecks.Check(Schedule, modelOutput, t, tPrev, sample, varianceNoise);
        using var scope = torch.NewDisposeScope();

        // 1. ᾱ_t and ᾱ_{t_prev}
        double alphaProd = Schedule.Values.AlphasCumprod[t];
        double alphaProdPrev = SamplerChecks.AlphaCumprodAt(Schedule, tPrev);
        double betaProd = 1 - alphaProd;

        // 2. x̂₀ ("predicted x₀" of eq. 12) and ε̂
        Tensor predOriginal, predEpsilon;
        switch (Prediction)
        {
            case Prediction.Epsilon:
                predEpsilon = modelOutput.alias();
                predOriginal = (sample - Math.Sqrt(betaProd) * modelOutput) / Math.Sqrt(alphaProd);
                break;
            case Prediction.Sample:
                predOriginal = modelOutput.alias();
                predEpsilon = (sample - Math.Sqrt(alphaProd) * predOriginal) / Math.Sqrt(betaProd);
                break;
            default:
                throw new InvalidOperationException($"unknown prediction {Prediction}");
        }

        // 3. clip x̂₀
        predOriginal = SamplerChecks.Clip(predOriginal, Config.ClipSample, Config.ClipRange);

        // 4. σ_t (eq. 16)
        double variance = (1 - alphaProdPrev) / betaProd * (1 - alphaProd / alphaProdPrev);
        double stdDev = Config.Eta * Math.Sqrt(variance);

        if (Config.UseClippedModelOutput)
            predEpsilon = (sample - Math.Sqrt(alphaProd) * predOriginal) / Math.Sqrt(betaProd);

        // 5. "direction pointing to x_t" and x_{t_prev} without noise (eq. 12)
        var direction = Math.Sqrt(1 - alphaProdPrev - stdDev * stdDev) * predEpsilon;
        var prevSample = Math.Sqrt(alphaProdPrev) * predOriginal + direction;

        // 6. + σ_t z when η > 0
        if (Config.Eta > 0)
            prevSample = prevSample + stdDev * SamplerChecks.Noise(sample, generator, varianceNoise);

        return new SchedulerStepOutput(prevSample.MoveToOuterDisposeScope(), predOriginal.MoveToOuterDisposeScope());
    }
}
