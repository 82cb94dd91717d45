using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>
/// Reconstruction by partial diffusion for anomaly detection (AnoDDPM, Wyatt et al., CVPR-W 2022; Pinaya et al.,
/// DGM4MICCAI 2022): noise the image to an intermediate level t_start, then denoise back to t = 0 with a sampler;
/// a healthy model "repairs" what it has not seen, and |x − x̂| is the anomaly map. The loop is written out, diffusers'
/// pipeline style: predict, step, repeat.
/// </summary>
public static class PartialDiffusion
{
    /// <summary>
    /// Noises <paramref name="x"/> to <paramref name="tStart"/> and denoises it in <paramref name="steps"/> steps
    /// spaced by <paramref name="spacing"/> over 0 … tStart (<see cref="InferenceTimesteps.SpacedFrom"/>).
    /// </summary>
    /// <param name="network">(x_t [N,C,H,W], t [N] int64) → ε̂ or x̂₀ [N,C,H,W], as the sampler's <see cref="IDiffusionSampler.Prediction"/> says.</param>
    /// <param name="x">[N,C,H,W] images in the network's range (usually [−1, 1]).</param>
    /// <param name="tStart">The noise level to start from, 0 ≤ tStart &lt; T (AnoDDPM: 250 of 1000).</param>
    /// <param name="steps">Reverse steps, 1 … tStart + 1.</param>
    /// <param name="generator">Randomness for the start noise (when <paramref name="noise"/> is null) and for stochastic steps.</param>
    /// <param name="noise">The start noise [N,C,H,W] (e.g. AnoDDPM's simplex noise) instead of Gaussian noise from the generator.</param>
    /// <param name="stepNoise">The noise of each stochastic step, from its timestep [N] (AnoDDPM draws simplex noise there too);
    /// null = the sampler's Gaussian noise from the generator.</param>
    /// <returns>The reconstruction x̂ [N,C,H,W].</returns>
    public static Tensor Reconstruct(Func<Tensor, Tensor, Tensor> network, Tensor x, int tStart, int steps, IDiffusionSampler sampler,
        Generator? generator = null, Tensor? noise = null, TimestepSpacing spacing = TimestepSpacing.Trailing, Func<Tensor, Tensor>? stepNoise = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        sampler.Schedule.CheckTimestep(tStart, nameof(tStart));
        return Reconstruct(network, x, InferenceTimesteps.SpacedFrom(tStart, steps, spacing), sampler, generator, noise, stepNoise);
    }

    /// <summary>
    /// Noises <paramref name="x"/> to timesteps[0] (eq. 4) and runs the sampler through the descending
    /// <paramref name="timesteps"/> down to a clean image.
    /// </summary>
    public static Tensor Reconstruct(Func<Tensor, Tensor, Tensor> network, Tensor x, int[] timesteps, IDiffusionSampler sampler,
        Generator? generator = null, Tensor? noise = null, Func<Tensor, Tensor>? stepNoise = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sampler);
        CheckTimesteps(timesteps, sampler.Schedule);
        if (noise is not null) GaussianDiffusion.CheckSameShape(noise, x, "noise", "x");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long n = x.size(0);

        // 1. x_{t_start} = √ᾱ x + √(1−ᾱ) ε  (eq. 4)
        var eps = noise?.to(x.device).to(x.dtype) ?? torch.randn(x.shape, dtype: x.dtype, generator: generator).to(x.device);
        var start = torch.full([n], timesteps[0], dtype: ScalarType.Int64, device: x.device);
        var sample = new GaussianDiffusion(sampler.Schedule).QSample(x, start, eps);

        // 2. predict, step, repeat
        for (int i = 0; i < timesteps.Length; i++)
        {
            using var stepScope = torch.NewDisposeScope();
            var t = torch.full([n], timesteps[i], dtype: ScalarType.Int64, device: x.device);
            var modelOutput = network(sample, t);
            var step = sampler.Step(modelOutput, timesteps[i], InferenceTimesteps.Previous(timesteps, i), sample, generator, stepNoise?.Invoke(t));
            var next = step.PrevSample.MoveToOuterDisposeScope();
            sample.Dispose();
            sample = next;
        }
        return sample.MoveToOuterDisposeScope();
    }

    static void CheckTimesteps(int[] timesteps, NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.Length == 0) throw new ArgumentException("timesteps must hold at least one timestep", nameof(timesteps));
        for (int i = 0; i < timesteps.Length; i++)
        {
            schedule.CheckTimestep(timesteps[i], $"timesteps[{i}]");
            if (i > 0 && timesteps[i] >= timesteps[i - 1])
                throw new ArgumentException($"timesteps must be strictly descending, got {timesteps[i - 1]} then {timesteps[i]} at index {i}", nameof(timesteps));
        }
    }
}
