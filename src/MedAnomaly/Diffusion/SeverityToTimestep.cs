using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Diffusion;

/// <summary>Which way DISYRE's severity runs along the timesteps.</summary>
public enum SeverityOrder
{
    /// <summary>
    /// As DISYRE's released code pairs them (snavalm/disyre, diffusion/scheduler.py,
    /// DISYREScheduler.map_alpha_to_timestep, called on the DAG/FPI severity in the training loop):
    /// t = argmin_t |√ᾱ_t − α|. A strong anomaly (α → 1) gets t ≈ 0, a faint one (α → 0) t = T−1; the
    /// trailing inference steps 99, 74, 49, 24 then condition on α ≈ 0.0045, 0.051, 0.27, 0.73.
    /// </summary>
    AsPublished,
    /// <summary>
    /// The mirror image, t = T−1 − argmin_k |√ᾱ_k − α|: no anomaly at t = 0, the strongest at T−1, as in a
    /// noise diffusion. The severity of timestep t is then √ᾱ_{T−1−t}, the very amount DISYRE's cold-diffusion
    /// step (DISYREScheduler.step, sqrt_alphas_cumprod.flip(0)[t]) assumes at t. Not what the published weights saw.
    /// </summary>
    CleanAtZero,
}

/// <summary>
/// DISYRE's pairing of a synthetic anomaly's severity α ∈ [0, 1] (FPI/DAG blend weight) with a diffusion timestep
/// (Marimont &amp; Tarroni, ISBI 2024; v2 MICCAI 2024): T = 100, β = linspace(1e-3, 0.2, 100), and the timestep whose
/// √ᾱ_t is nearest to α. The network is trained to restore x₀ from (x_c, t(α)).
/// Ties go to the smaller index k of √ᾱ_k (torch.argmin's first minimum).
/// </summary>
public static class SeverityToTimestep
{
    static readonly ScheduleValues DisyreValues = ScheduleValues.FromBetas(ScheduleValues.Linspace(1e-3, 0.2, 100));

    /// <param name="severity">[N] severities α in [0, 1], any floating dtype, any device.</param>
    /// <param name="schedule">The schedule whose √ᾱ is matched; DISYRE's (<see cref="NoiseSchedule.Disyre"/>) when null.</param>
    /// <returns>[N] int64 timesteps on the severities' device.</returns>
    public static Tensor Map(Tensor severity, NoiseSchedule? schedule = null, SeverityOrder order = SeverityOrder.AsPublished)
    {
        ArgumentNullException.ThrowIfNull(severity);
        if (severity.ndim != 1) throw new ArgumentException($"severity must be [N], got [{string.Join(", ", severity.shape)}]", nameof(severity));
        if (!severity.is_floating_point()) throw new ArgumentException($"severity must be a floating-point tensor, got {severity.dtype}", nameof(severity));
        var values = schedule?.Values ?? DisyreValues;
        using var scope = torch.NewDisposeScope();
        var alpha = severity.to(ScalarType.Float64);
        if (alpha.numel() > 0)
        {
            bool inRange = alpha.ge(0).logical_and(alpha.le(1)).all().item<bool>();
            if (!inRange)
                throw new ArgumentOutOfRangeException(nameof(severity), $"severities must lie in [0, 1], got values in {alpha.min().item<double>():G6} … {alpha.max().item<double>():G6} (or NaN)");
        }
        var sqrtAlphaBar = torch.tensor(values.SqrtAlphasCumprod).to(alpha.device);
        var nearest = (sqrtAlphaBar.unsqueeze(0) - alpha.unsqueeze(1)).abs().argmin(1);
        var t = order switch
        {
            SeverityOrder.AsPublished => nearest,
            SeverityOrder.CleanAtZero => (values.NumTimesteps - 1) - nearest,
            _ => throw new ArgumentOutOfRangeException(nameof(order), order, "unknown severity order"),
        };
        return t.to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>The severity α a timestep stands for: √ᾱ_t (as published) or √ᾱ_{T−1−t} (clean at zero).</summary>
    public static double SeverityAt(int t, NoiseSchedule? schedule = null, SeverityOrder order = SeverityOrder.AsPublished)
    {
        var values = schedule?.Values ?? DisyreValues;
        if (t < 0 || t >= values.NumTimesteps)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"t must lie in 0 … {values.NumTimesteps - 1}");
        return order == SeverityOrder.AsPublished ? values.SqrtAlphasCumprod[t] : values.SqrtAlphasCumprod[values.NumTimesteps - 1 - t];
    }
}
