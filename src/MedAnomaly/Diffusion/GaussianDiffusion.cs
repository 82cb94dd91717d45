using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>
/// The Gaussian forward process of DDPM (Ho et al. 2020) over a <see cref="NoiseSchedule"/>, in the style of
/// openai guided-diffusion's GaussianDiffusion: a plain class, the network is never inside it.
/// Timesteps are per image: t is an [N] integer tensor with 0 ≤ t &lt; T; buffers are gathered at t and
/// broadcast to [N,1,1,1]. Images are [N,C,H,W] (any rank ≥ 1 works) in the model's range, usually [−1, 1].
/// float64 images use the float64 buffers, other dtypes the float32 ones cast to their dtype.
/// The schedule is borrowed, not owned.
/// </summary>
public sealed class GaussianDiffusion(NoiseSchedule schedule)
{
    public NoiseSchedule Schedule { get; } = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <summary>x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε, a sample of q(x_t | x₀) (eq. 4).</summary>
    /// <param name="x0">[N,…] clean images.</param>
    /// <param name="t">[N] integer timesteps.</param>
    /// <param name="noise">ε, the same shape as <paramref name="x0"/>.</param>
    public Tensor QSample(Tensor x0, Tensor t, Tensor noise)
    {
        CheckSameShape(noise, x0, "noise", "x0");
        using var scope = torch.NewDisposeScope();
        var xt = Extract(Schedule.Values.SqrtAlphasCumprod, Schedule.SqrtAlphasCumprod, t, x0) * x0
               + Extract(Schedule.Values.SqrtOneMinusAlphasCumprod, Schedule.SqrtOneMinusAlphasCumprod, t, x0) * noise;
        return xt.MoveToOuterDisposeScope();
    }

    /// <summary>x̂₀ = x_t/√ᾱ_t − √(1/ᾱ_t − 1) ε̂, eq. 4 solved for x₀ (Ho et al. eq. 15's x₀ estimate).</summary>
    public Tensor PredictStartFromNoise(Tensor xt, Tensor t, Tensor eps)
    {
        CheckSameShape(eps, xt, "eps", "x_t");
        using var scope = torch.NewDisposeScope();
        var x0 = Extract(Schedule.Values.SqrtRecipAlphasCumprod, Schedule.SqrtRecipAlphasCumprod, t, xt) * xt
               - Extract(Schedule.Values.SqrtRecipm1AlphasCumprod, Schedule.SqrtRecipm1AlphasCumprod, t, xt) * eps;
        return x0.MoveToOuterDisposeScope();
    }

    /// <summary>ε̂ = (x_t/√ᾱ_t − x̂₀) / √(1/ᾱ_t − 1), eq. 4 solved for ε (undefined where ᾱ_t = 1).</summary>
    public Tensor PredictNoiseFromStart(Tensor xt, Tensor t, Tensor x0)
    {
        CheckSameShape(x0, xt, "x0", "x_t");
        using var scope = torch.NewDisposeScope();
        var eps = (Extract(Schedule.Values.SqrtRecipAlphasCumprod, Schedule.SqrtRecipAlphasCumprod, t, xt) * xt - x0)
                / Extract(Schedule.Values.SqrtRecipm1AlphasCumprod, Schedule.SqrtRecipm1AlphasCumprod, t, xt);
        return eps.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The posterior q(x_{t−1} | x_t, x₀) = N(μ̃_t, β̃_t I) (eq. 6–7):
    /// μ̃_t = β_t √ᾱ_{t−1}/(1−ᾱ_t) · x₀ + (1−ᾱ_{t−1}) √α_t/(1−ᾱ_t) · x_t, β̃_t = β_t (1−ᾱ_{t−1})/(1−ᾱ_t).
    /// </summary>
    /// <returns>Mean [N,…]; variance and clipped log-variance [N,1,…,1].</returns>
    public (Tensor Mean, Tensor Variance, Tensor LogVarianceClipped) QPosteriorMeanVariance(Tensor x0, Tensor xt, Tensor t)
    {
        CheckSameShape(x0, xt, "x0", "x_t");
        using var scope = torch.NewDisposeScope();
        var values = Schedule.Values;
        var mean = Extract(values.PosteriorMeanCoef1, Schedule.PosteriorMeanCoef1, t, xt) * x0
                 + Extract(values.PosteriorMeanCoef2, Schedule.PosteriorMeanCoef2, t, xt) * xt;
        var variance = Extract(values.PosteriorVariance, Schedule.PosteriorVariance, t, xt);
        var logVariance = Extract(values.PosteriorLogVarianceClipped, Schedule.PosteriorLogVarianceClipped, t, xt);
        return (mean.MoveToOuterDisposeScope(), variance.MoveToOuterDisposeScope(), logVariance.MoveToOuterDisposeScope());
    }

    /// <summary>buffer[t] reshaped to [N,1,…,1] so that it broadcasts against <paramref name="like"/> [N,…].</summary>
    public Tensor Extract(double[] values, Tensor buffer, Tensor t, Tensor like)
    {
        CheckTimesteps(t, like);
        using var scope = torch.NewDisposeScope();
        var source = like.dtype == ScalarType.Float64 ? torch.tensor(values).to(like.device) : buffer.to(like.device).to(like.dtype);
        var shape = new long[like.ndim];
        Array.Fill(shape, 1L);
        shape[0] = like.size(0);
        return source.index_select(0, t.to(like.device).to(ScalarType.Int64)).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="t"/> is an [N] integer tensor, N = like.size(0), with 0 ≤ t &lt; T.</summary>
    public void CheckTimesteps(Tensor t, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (like.ndim < 1) throw new ArgumentException("images must have a batch dimension [N,…], got a scalar tensor");
        if (t.ndim != 1 || t.size(0) != like.size(0))
            throw new ArgumentException($"timesteps t must be [N] = [{like.size(0)}] (one per image), got [{string.Join(", ", t.shape)}]", nameof(t));
        if (!IsInteger(t.dtype))
            throw new ArgumentException($"timesteps t must be an integer tensor (int64), got {t.dtype}", nameof(t));
        if (t.numel() == 0) return;
        long min = t.min().to(ScalarType.Int64).item<long>(), max = t.max().to(ScalarType.Int64).item<long>();
        if (min < 0 || max >= Schedule.NumTimesteps)
            throw new ArgumentOutOfRangeException(nameof(t), $"timesteps t must lie in 0 … {Schedule.NumTimesteps - 1} for the {Schedule.NumTimesteps}-step '{Schedule.Name}' schedule, got values in {min} … {max}");
    }

    static bool IsInteger(ScalarType dtype) =>
        dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;

    internal static void CheckSameShape(Tensor a, Tensor b, string aName, string bName)
    {
        ArgumentNullException.ThrowIfNull(a, aName);
        ArgumentNullException.ThrowIfNull(b, bName);
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"{aName} must have the shape of {bName} [{string.Join(", ", b.shape)}], got [{string.Join(", ", a.shape)}]", aName);
    }
}
