using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>
/// DDIM encoding: the deterministic sampler (Song, Meng &amp; Ermon, ICLR 2021, eq. 12 with η = 0) run from a clean image
/// towards noise, so that decoding with the same network retraces the path (Wolleb et al., MICCAI 2022, Algorithm 1,
/// first loop; guided-diffusion's <c>ddim_reverse_sample</c>). One step from level <c>from</c> to a higher level <c>to</c>:
/// <code>
/// ε̂ = ε_θ(x, max(from, 0)),  x̂₀ = (x − √(1 − ᾱ_from) ε̂) / √ᾱ_from,  x_to = √ᾱ_to x̂₀ + √(1 − ᾱ_to) ε̂
/// </code>
/// Level −1 is the clean image (ᾱ = 1); the network is asked at timestep 0 there, as Algorithm 1 asks ε_θ(x₀, 0).
/// </summary>
public static class DdimInversion
{
    /// <param name="epsilon">(x [N,…], t [N] int64) → ε̂ [N,…].</param>
    /// <param name="x">The sample at level <paramref name="from"/>.</param>
    public static Tensor Step(Func<Tensor, Tensor, Tensor> epsilon, Tensor x, int from, int to, NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(epsilon);
        ArgumentNullException.ThrowIfNull(schedule);
        if (from < -1 || to <= from) throw new ArgumentOutOfRangeException(nameof(to), to, $"an encoding step goes up: from ≥ −1 to a higher level, got {from} → {to}");
        schedule.CheckTimestep(to, nameof(to));
        using var scope = torch.NewDisposeScope();
        double alphaFrom = from >= 0 ? schedule.Values.AlphasCumprod[from] : 1.0, alphaTo = schedule.Values.AlphasCumprod[to];
        var t = torch.full([x.size(0)], Math.Max(from, 0), ScalarType.Int64, x.device);
        var eps = epsilon(x, t);
        var x0 = (x - Math.Sqrt(1 - alphaFrom) * eps) / Math.Sqrt(alphaFrom);
        return (Math.Sqrt(alphaTo) * x0 + Math.Sqrt(1 - alphaTo) * eps).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes the clean <paramref name="x"/> up to timesteps[0] through the descending <paramref name="timesteps"/>
    /// of the decoding schedule, visited in reverse (−1 → timesteps[^1] → … → timesteps[0]).</summary>
    public static Tensor Encode(Func<Tensor, Tensor, Tensor> epsilon, Tensor x, int[] timesteps, NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        if (timesteps.Length == 0) throw new ArgumentException("timesteps must hold at least one timestep", nameof(timesteps));
        using var scope = torch.NewDisposeScope();
        var sample = x.alias();
        int level = -1;
        for (int i = timesteps.Length - 1; i >= 0; i--)
        {
            using var stepScope = torch.NewDisposeScope();
            var next = Step(epsilon, sample, level, timesteps[i], schedule).MoveToOuterDisposeScope();
            sample.Dispose();
            sample = next;
            level = timesteps[i];
        }
        return sample.MoveToOuterDisposeScope();
    }
}
