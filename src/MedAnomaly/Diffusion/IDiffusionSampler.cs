using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>The result of one reverse step: x_{t_prev} and the x̂₀ it was built from, both [N,…] like the sample.</summary>
public sealed record SchedulerStepOutput(Tensor PrevSample, Tensor PredOriginalSample);

/// <summary>
/// One reverse step of a diffusion sampler (diffusers' scheduler.step): from the network's output at x_t
/// to x_{t_prev}. The loop that calls it lives with the caller (<see cref="PartialDiffusion"/>), in the open.
/// </summary>
public interface IDiffusionSampler
{
    /// <summary>The schedule the network was trained with (borrowed, not owned).</summary>
    NoiseSchedule Schedule { get; }
    Prediction Prediction { get; }

    /// <param name="modelOutput">The network's ε̂ or x̂₀ for <paramref name="sample"/>, [N,…] like it.</param>
    /// <param name="t">The current timestep, 0 ≤ t &lt; T (one for the whole batch).</param>
    /// <param name="tPrev">The next (smaller) timestep of the inference schedule, or −1 after the last one (ᾱ = 1: a clean image).</param>
    /// <param name="sample">x_t, [N,…].</param>
    /// <param name="generator">Randomness for the step's noise (ignored by deterministic steps); null = torch's default generator.</param>
    /// <param name="varianceNoise">The step's standard-normal noise z given explicitly instead of drawn (diffusers' variance_noise).</param>
    SchedulerStepOutput Step(Tensor modelOutput, int t, int tPrev, Tensor sample, Generator? generator = null, Tensor? varianceNoise = null);
}

/// <summary>Checks shared by the samplers.</summary>
static class SamplerChecks
{
    public static void Check(NoiseSchedule schedule, Tensor modelOutput, int t, int tPrev, Tensor sample, Tensor? varianceNoise)
    {
        schedule.CheckTimestep(t, "t");
        if (tPrev < -1 || tPrev >= t)
            throw new ArgumentOutOfRangeException(nameof(tPrev), tPrev, $"tPrev must lie in −1 … t−1 = {t - 1} (−1 after the last step)");
        GaussianDiffusion.CheckSameShape(modelOutput, sample, "modelOutput", "sample");
        if (varianceNoise is not null) GaussianDiffusion.CheckSameShape(varianceNoise, sample, "varianceNoise", "sample");
    }

    /// <summary>ᾱ at a timestep of the schedule, 1 before the first one (t = −1: diffusers' set_alpha_to_one / DDPM's "one").</summary>
    public static double AlphaCumprodAt(NoiseSchedule schedule, int t) => t >= 0 ? schedule.Values.AlphasCumprod[t] : 1.0;

    /// <summary>Standard-normal noise shaped like <paramref name="like"/>: drawn on the CPU from the generator (so a seed
    /// gives the same numbers on every device), then moved; or the given tensor.</summary>
    public static Tensor Noise(Tensor like, Generator? generator, Tensor? given) =>
        given is not null
            ? given.to(like.device).to(like.dtype)
            : torch.randn(like.shape, dtype: like.dtype, generator: generator).to(like.device);

    public static void CheckClipRange(double range)
    {
        if (!(range > 0 && double.IsFinite(range)))
            throw new ArgumentOutOfRangeException("ClipRange", range, "the clipping range of x̂₀ must be a finite number > 0");
    }

    public static Tensor Clip(Tensor x0, bool clip, double range) => clip ? x0.clamp(-range, range) : x0;
}
