using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Fractal simplex noise of AnoDDPM (Wyatt et al., "AnoDDPM: Anomaly Detection with Denoising Diffusion
/// Probabilistic Models using Simplex Noise", CVPR-W 2022; released simplex.py):
/// noise(x, y) = Σ_{i&lt;Octaves} Persistence^i · S(x / f_i, y / f_i) with f_0 = Frequency and f_{i+1} = f_i / 2
/// (pixel scales 64, 32, …, 2 by default), S = Gustavson's simplex noise (<see cref="GustavsonSimplex"/>). With
/// <see cref="TimestepAsThirdCoordinate"/> S is 3D and the third coordinate is t / f_i, as in AnoDDPM's
/// released code (rand_3d_fixed_T_octaves, which uses KdotJPG's OpenSimplex rather than Gustavson's simplex).
/// Every image and channel gets its own random permutation table, hence an independent field
/// (AnoDDPM repeats one field across the batch).
/// <para>Normalisation: AnoDDPM's code uses the raw sum, whose scale depends on the simplex variant (here, with
/// Gustavson's noise, one octave has std ≈ 0.44 and the default sum ≈ 0.7, varying per 64² image). Because the
/// field replaces ε ~ N(0, I) in q(x_t | x_0), <see cref="Normalize"/> (default) rescales each image's field to
/// mean 0 and standard deviation 1 (population std over H×W); set it false for AnoDDPM's raw field.
/// <see cref="Scale"/> multiplies the field last: AnoDDPM's OpenSimplex octave sum spreads about 0.7 times as wide as this
/// one (std 0.43 against 0.63 for a 64² field; benchmarks/peers/simplex_stats.py), so Scale = 0.7 matches its noise level.</para>
/// <para>As an <see cref="ICorruption"/> it adds <see cref="Sigma"/> · noise (inside the foreground x &gt; 0 when
/// <see cref="OnlyForeground"/>), like <see cref="CoarseNoise"/>; Sigma = 0.2 is CoarseNoise's published
/// strength, not an AnoDDPM value (AnoDDPM uses the noise inside the diffusion process, see <see cref="Sample"/>).</para>
/// </summary>
public sealed record SimplexNoise(int Octaves = 6, double Persistence = 0.8, double Frequency = 64, bool Normalize = true,
    bool TimestepAsThirdCoordinate = false, double Sigma = 0.2, bool OnlyForeground = true, double Scale = 1) : ICorruption
{
    public string Name => "simplex-noise";

    /// <param name="clean">[N,C,H,W] images in [0,1].</param>
    /// <param name="t">[N] timesteps, the third noise coordinate when <see cref="TimestepAsThirdCoordinate"/>; else ignored.</param>
    /// <returns>clean + Sigma · noise; mask = foreground [N,1,H,W] (or ones); severity = 1.</returns>
    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        if (clean.ndim != 4) throw new ArgumentException($"SimplexNoise expects [N,C,H,W], got [{string.Join(", ", clean.shape)}]");
        using var scope = torch.NewDisposeScope();
        var noise = Sample(clean.shape, t, rng, clean.device).to(clean.dtype) * Sigma;
        var mask = OnlyForeground ? clean.gt(0).any(1, keepdim: true) : torch.ones([clean.size(0), 1, clean.size(2), clean.size(3)], ScalarType.Bool, clean.device);
        var corrupted = torch.where(mask, clean + noise, clean);
        var severity = torch.ones([clean.size(0)], device: clean.device);
        return new CorruptionResult(corrupted, mask.to(ScalarType.Float32), severity).MoveToOuterDisposeScope();
    }

    /// <summary>Noise of shape [N,C,H,W] float32: one fractal field per image and channel.</summary>
    /// <param name="t">[N] third coordinate (timesteps) when <see cref="TimestepAsThirdCoordinate"/>; null = 0.</param>
    public Tensor Sample(long[] shape, Tensor? t, Generator rng, Device? device = null)
    {
        if (shape.Length != 4) throw new ArgumentException($"SimplexNoise.Sample expects a shape [N,C,H,W], got [{string.Join(", ", shape)}]");
        Validate();
        using var scope = torch.NewDisposeScope();
        long n = shape[0], c = shape[1];
        var perms = RandomPermutations(n * c, rng);
        var z = TimestepAsThirdCoordinate ? ThirdCoordinate(t, n, c) : null;
        var field = Fractal(perms, shape[2], shape[3], z);   // on the CPU, where GustavsonSimplex computes
        if (Normalize) field = Standardise(field);
        if (Scale != 1) field = field * Scale;
        return field.to(ScalarType.Float32).view(shape).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_i Persistence^i · S(x/f_i, y/f_i[, z/f_i]) on the pixel grid (x = column, y = row).</summary>
    /// <param name="perms">[B,256] int64 permutation tables.</param>
    /// <param name="z">[B] third coordinate, or null for 2D noise.</param>
    /// <returns>[B, H·W] float64, row-major.</returns>
    public Tensor Fractal(Tensor perms, long height, long width, Tensor? z = null)
    {
        using var scope = torch.NewDisposeScope();
        var device = perms.device;
        var rows = torch.arange(height, ScalarType.Float64, device: device).repeat_interleave(width).unsqueeze(0);
        var cols = torch.arange(width, ScalarType.Float64, device: device).repeat(height).unsqueeze(0);
        var zs = z?.to(ScalarType.Float64).view(-1, 1);
        var total = torch.zeros([perms.size(0), height * width], ScalarType.Float64, device: device);
        double frequency = Frequency, amplitude = 1;
        for (int octave = 0; octave < Octaves; octave++, frequency /= 2, amplitude *= Persistence)
            total += amplitude * (zs is null
                ? GustavsonSimplex.Noise2d(perms, cols / frequency, rows / frequency)
                : GustavsonSimplex.Noise3d(perms, cols / frequency, rows / frequency, zs / frequency));
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>[count,256] int64: an independent random permutation of 0…255 per row (argsort of uniforms).</summary>
    public static Tensor RandomPermutations(long count, Generator rng) =>
        torch.rand([count, 256], ScalarType.Float64, generator: rng).argsort(1);

    /// <summary>Each row of [B,P] to mean 0, population standard deviation 1.</summary>
    public static Tensor Standardise(Tensor field)
    {
        using var scope = torch.NewDisposeScope();
        var centred = field - field.mean([1], keepdim: true);
        return (centred / centred.square().mean([1], keepdim: true).sqrt().clamp_min(1e-12)).MoveToOuterDisposeScope();
    }

    /// <summary>[N] timesteps repeated for each channel → [N·C]; zeros when none are given.</summary>
    static Tensor ThirdCoordinate(Tensor? t, long n, long c)
    {
        if (t is null) return torch.zeros([n * c], ScalarType.Float64);
        if (t.ndim != 1 || t.size(0) != n) throw new ArgumentException($"SimplexNoise expects t as [N] = [{n}], got [{string.Join(", ", t.shape)}]");
        return t.to(ScalarType.Float64).cpu().repeat_interleave(c);
    }

    /// <summary>Refuses a setting no field can be drawn with (DdpmConfig.Validate calls it before training).</summary>
    public void Validate()
    {
        if (Octaves < 1) throw new ArgumentOutOfRangeException(nameof(Octaves), Octaves, "expected at least one octave");
        if (!(Frequency > 0) || double.IsInfinity(Frequency)) throw new ArgumentOutOfRangeException(nameof(Frequency), Frequency, "expected a positive starting frequency (pixels per lattice cell)");
        if (!double.IsFinite(Persistence)) throw new ArgumentOutOfRangeException(nameof(Persistence), Persistence, "expected a finite persistence");
        if (!(Scale > 0) || double.IsInfinity(Scale)) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "expected a positive, finite scale of the field");
    }
}
