using MedAnomaly.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Gaussian noise at a diffusion timestep: the forward process q(x_t | x₀) of DDPM (Ho et al. 2020, eq. 4),
/// x_t = √ᾱ_t x + √(1−ᾱ_t) ε with ε ~ N(0, I) from the generator. t is required ([N] integer, one per image);
/// the mask covers every pixel and the severity is the noise's share √(1−ᾱ_t). The images are noised as given: DDPM's convention is to rescale them to
/// [−1, 1] first (Ho et al. §3.3), which the caller does. The schedule is borrowed, not owned.
/// </summary>
public sealed record GaussianNoise(NoiseSchedule Schedule) : ICorruption
{
    /// <summary>With Ho et al.'s linear schedule (T = 1000).</summary>
    public GaussianNoise() : this(NoiseSchedule.Linear()) { }

    public string Name => "gaussian-noise";

    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(clean);
        if (clean.ndim != 4) throw new ArgumentException($"GaussianNoise expects [N,C,H,W], got [{string.Join(", ", clean.shape)}]", nameof(clean));
        if (t is null) throw new ArgumentNullException(nameof(t), $"GaussianNoise needs the timesteps t ([N] int64, 0 … {Schedule.NumTimesteps - 1}) to noise at");
        using var scope = torch.NewDisposeScope();
        var noise = torch.randn(clean.shape, dtype: clean.dtype, generator: rng).to(clean.device);
        var corrupted = new GaussianDiffusion(Schedule).QSample(clean, t, noise);
        var mask = torch.ones([clean.size(0), 1, clean.size(2), clean.size(3)], dtype: clean.dtype, device: clean.device);
        var severity = Schedule.SqrtOneMinusAlphasCumprod.to(clean.device).index_select(0, t.to(ScalarType.Int64)).to(ScalarType.Float32);
        return new CorruptionResult(corrupted, mask, severity).MoveToOuterDisposeScope();
    }
}
