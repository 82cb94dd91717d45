using MedAnomaly.Randomness;
namespace MedAnomaly.Data;

/// <summary>One generated phantom subject. Arrays are [Size, Size, Size] with x fastest (NIfTI order).</summary>
/// <param name="Image">T2-like magnitude image (float32, ≈ [0, 1.3]; background outside the head is exactly 0).</param>
/// <param name="Mask">Lesion mask (1 where a lesion replaced tissue), all zeros for a healthy subject.</param>
/// <param name="Labels">Tissue labels (<see cref="PhantomTissue"/>) of the healthy anatomy.</param>
public sealed record PhantomVolume(int Size, float[] Image, byte[] Mask, byte[] Labels, IReadOnlyList<PhantomLesion> Lesions)
{
    /// <summary>Voxel size in mm: the field of view is 200 mm whatever the grid size.</summary>
    public double VoxelSizeMm => 200.0 / Size;
}

/// <summary>Options of the phantom generator (defaults give a plausible 3T T2-weighted brain MRI).</summary>
/// <param name="NoiseSigma">σ of each Gaussian channel of the Rician noise, relative to CSF intensity 1.</param>
/// <param name="BiasStrength">Amplitude of the log bias field (0.15 → about ±15% intensity).</param>
public sealed record PhantomOptions(double NoiseSigma = 0.025, double BiasStrength = 0.15);

/// <summary>
/// Brain-like MRI phantom with T2-like contrast: scalp, skull, CSF (bright) with ventricles and sulci,
/// grey matter brighter than white matter, smooth texture; subject-to-subject anatomical variation; a smooth
/// multiplicative bias field; Rician noise (magnitude of a complex Gaussian signal, Gudbjartsson &amp; Patz 1995).
/// Test subjects can carry lesions (<see cref="PhantomLesions"/>) with exact masks. Everything is a pure
/// function of the seed.
/// </summary>
public static class Phantom
{
    /// <summary>The grid sizes the anatomy is drawn for (the smallest structures need a few voxels).</summary>
    public const int MinSize = 16, MaxSize = 512;

    /// <exception cref="ArgumentException"><paramref name="size"/> is outside [<see cref="MinSize"/>, <see cref="MaxSize"/>].</exception>
    public static void CheckSize(int size)
    {
        if (size < MinSize || size > MaxSize) throw new ArgumentException($"phantom size must be in [{MinSize}, {MaxSize}], got {size}");
    }

    /// <summary>Generates one subject from <paramref name="seed"/>; the same seed gives the same volume.</summary>
    public static PhantomVolume Generate(ulong seed, int size, bool withLesions, PhantomOptions? options = null)
    {
        CheckSize(size);
        options ??= new PhantomOptions();
        var rng = new SeededRandom(seed);
        var (labels, clean, rho) = PhantomAnatomy.Build(size, rng);
        byte[] mask;
        List<PhantomLesion> lesions;
        if (withLesions) (mask, lesions) = PhantomLesions.AddRandom(size, labels, clean, rho, rng);
        else (mask, lesions) = (new byte[clean.Length], new List<PhantomLesion>());

        var image = Blur121(clean, size);              // partial-volume smoothing of tissue edges
        ApplyBiasField(image, size, options.BiasStrength, rng);
        AddRicianNoise(image, size, options.NoiseSigma * rng.Uniform(0.8, 1.2), rng);
        return new PhantomVolume(size, image, mask, labels, lesions);
    }

    /// <summary>Seed of volume <paramref name="index"/> of a set generated with master seed <paramref name="seed"/>.</summary>
    public static ulong VolumeSeed(ulong seed, int index) => SeededRandom.Derive(seed, (ulong)index);

    /// <summary>Separable [1, 2, 1] / 4 blur along x, y and z (edges clamped). Returns a new array.</summary>
    private static float[] Blur121(float[] v, int n)
    {
        var a = (float[])v.Clone();
        var b = new float[v.Length];
        int plane = n * n;
        foreach (int stride in new[] { 1, n, plane })
        {
            int span = stride * n;   // elements in one run of the blurred axis and everything faster
            Parallel.For(0, v.Length / span, block =>
            {
                int start = block * span;
                for (int i = start; i < start + span; i++)
                {
                    int coord = (i - start) / stride;
                    float left = coord > 0 ? a[i - stride] : a[i];
                    float right = coord < n - 1 ? a[i + stride] : a[i];
                    b[i] = 0.25f * left + 0.5f * a[i] + 0.25f * right;
                }
            });
            (a, b) = (b, a);
        }
        return a;
    }

    /// <summary>Multiplies by exp(strength · smooth field + linear gradient): a slowly varying coil sensitivity.</summary>
    private static void ApplyBiasField(float[] image, int n, double strength, SeededRandom rng)
    {
        var field = SmoothNoise.Field(n, n, n, 1.5, rng);
        double gx = rng.Uniform(-1, 1), gy = rng.Uniform(-1, 1), gz = rng.Uniform(-1, 1);
        double norm = Math.Sqrt(gx * gx + gy * gy + gz * gz) + 1e-9;
        double g = strength * 0.5 / norm;
        for (int z = 0, i = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++, i++)
                {
                    if (image[i] == 0) continue;
                    double lin = g * (gx * (2.0 * x / n - 1) + gy * (2.0 * y / n - 1) + gz * (2.0 * z / n - 1));
                    image[i] *= (float)Math.Exp(strength * field[i] + lin);
                }
    }

    /// <summary>Rician noise inside the head: |s + σ(n₁ + i·n₂)| with n₁, n₂ ~ N(0, 1). Background (0) stays 0.
    /// Each z-slab draws from its own stream (derived from one seed), so threads do not change the result.</summary>
    private static void AddRicianNoise(float[] image, int n, double sigma, SeededRandom rng)
    {
        ulong noiseSeed = rng.NextUInt64();
        int plane = n * n;
        Parallel.For(0, n, z =>
        {
            var local = new SeededRandom(SeededRandom.Derive(noiseSeed, (ulong)z));
            for (int i = z * plane; i < (z + 1) * plane; i++)
            {
                if (image[i] == 0) continue;
                double re = image[i] + sigma * local.NextGaussian(), im = sigma * local.NextGaussian();
                image[i] = (float)Math.Sqrt(re * re + im * im);
            }
        });
    }
}
