using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>The variance σ²_t of the DDPM reverse step (Ho et al. 2020, §3.2).</summary>
public enum DdpmVariance
{
    /// <summary>σ²_t = β̃_t, the posterior variance (eq. 7) — "fixed small", the default of guided-diffusion and diffusers.</summary>
    FixedSmall,
    /// <summary>σ²_t = β_t — "fixed large".</summary>
    FixedLarge,
}

/// <summary>DDPM sampler settings; defaults as diffusers' DDPMScheduler (ε-prediction, fixed-small variance, x̂₀ clipped to [−1, 1]).</summary>
public sealed record DdpmSchedulerConfig
{
    public Prediction Prediction { get; init; } = Prediction.Epsilon;
    public DdpmVariance Variance { get; init; } = DdpmVariance.FixedSmall;
    /// <summary>Clamp x̂₀ to [−ClipRange, ClipRange] before the posterior mean (guided-diffusion's clip_denoised).</summary>
    public bool ClipSample { get; init; } = true;
    public double ClipRange { get; init; } = 1.0;
}

/// <summary>
/// The ancestral DDPM step (Ho et al. 2020, Algorithm 2 written with the posterior of eq. 6–7, as in diffusers'
/// DDPMScheduler.step): x_{t_prev} = μ̃(x_t, x̂₀) + σ_t z. Between two timesteps of a reduced schedule,
/// t_prev &lt; t − 1, the step uses β'_t = 1 − ᾱ_t/ᾱ_{t_prev} in place of β_t; with t_prev = t − 1 it is
/// exactly the posterior of eq. 7. No noise is added on the last step (t_prev = −1).
/// </summary>
public sealed class DdpmScheduler(NoiseSchedule schedule, DdpmSchedulerConfig? config = null) : IDiffusionSampler
{
    public NoiseSchedule Schedule { get; } = schedule ?? throw new ArgumentNullException(nameof(schedule));
    public DdpmSchedulerConfig Config { get; } = Validated(config ?? new DdpmSchedulerConfig());
    public Prediction Prediction => Config.Prediction;

    static DdpmSchedulerConfig Validated(DdpmSchedulerConfig config)
    {
        SamplerChecks.CheckClipRange(config.ClipRange);
        return config;
    }

    public SchedulerStepOutput Step(Tensor modelOutput, int t, int tPrev, Tensor sample, Generator? generator = null, Tensor? varianceNoise = null)
    {
        SamplerChecks.Check(Schedule, modelOutput, t, tPrev, sample, varianceNoise);
        using var scope = torch.NewDisposeScope();

        // 1. ᾱ_t, ᾱ_{t_prev} and the effective single-step β'_t = 1 − ᾱ_t/ᾱ_{t_prev}
        double alphaProd = Schedule.Values.AlphasCumprod[t];
        double alphaProdPrev = SamplerChecks.AlphaCumprodAt(Schedule, tPrev);
        double betaProd = 1 - alphaProd, betaProdPrev = 1 - alphaProdPrev;
        double currentAlpha = alphaProd / alphaProdPrev, currentBeta = 1 - currentAlpha;

        // 2. x̂₀ from the network's output: eq. 15, x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t, or the output itself
        var predOriginal = Prediction switch
        {
            Prediction.Epsilon => (sample - Math.Sqrt(betaProd) * modelOutput) / Math.Sqrt(alphaProd),
            Prediction.Sample => modelOutput.alias(),
            _ => throw new InvalidOperationException($"unknown prediction {Prediction}"),
        };

        // 3. clip x̂₀
        predOriginal = SamplerChecks.Clip(predOriginal, Config.ClipSample, Config.ClipRange);

        // 4. posterior mean μ̃ (eq. 7): √ᾱ_{t_prev} β'_t/(1−ᾱ_t) · x̂₀ + √α'_t (1−ᾱ_{t_prev})/(1−ᾱ_t) · x_t
        double originalCoef = Math.Sqrt(alphaProdPrev) * currentBeta / betaProd;
        double sampleCoef = Math.Sqrt(currentAlpha) * betaProdPrev / betaProd;
        var prevSample = originalCoef * predOriginal + sampleCoef * sample;

        // 5. add σ_t z, except on the last step
        if (tPrev >= 0)
        {
            double variance = Config.Variance switch
            {
                DdpmVariance.FixedSmall => Math.Max(betaProdPrev / betaProd * currentBeta, 1e-20), // β̃ (eq. 7), clamped as diffusers does
                DdpmVariance.FixedLarge => currentBeta,
                _ => throw new InvalidOperationException($"unknown variance {Config.Variance}"),
            };
            prevSample = prevSample + Math.Sqrt(variance) * SamplerChecks.Noise(sample, generator, varianceNoise);
        }
        return new SchedulerStepOutput(prevSample.MoveToOuterDisposeScope(), predOriginal.MoveToOuterDisposeScope());
    }
}
