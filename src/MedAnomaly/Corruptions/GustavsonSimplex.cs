using System.Runtime.InteropServices;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Classic 2D and 3D simplex noise (Perlin 2001) in Stefan Gustavson's public-domain formulation
/// ("Simplex noise demystified", 2005; SimplexNoise.java, 2012), written as his scalar code and run over a batch of
/// points in parallel: skew to the simplex grid, pick the simplex, sum the corners' radial kernels (r² = 0.5 in 2D,
/// 0.6 in 3D) times gradient dot products, scale by 70 (2D) / 32 (3D). Values lie roughly in [−1, 1]; the noise is 0
/// at lattice points. Each row b of the batch uses its own permutation table perm[b] (256 entries, a permutation of
/// 0…255) — Gustavson's code uses Perlin's fixed table; a random one gives an independent field.
/// Scalar code, not tensor operations: AnoDDPM draws a field at every reverse step, and the ~150 small tensor
/// operations per octave cost a fifth of a scoring step (docs/fidelity.md, "AnoDDPM").
/// tests/golden/make_corruptions_golden.py ports the scalar Java code to Python and pins values.
/// </summary>
public static class GustavsonSimplex
{
    static readonly double F2 = 0.5 * (Math.Sqrt(3) - 1), G2 = (3 - Math.Sqrt(3)) / 6;
    const double F3 = 1.0 / 3, G3 = 1.0 / 6;

    /// <summary>Gustavson's grad3: the 12 edge midpoints of a cube ([12,3]); 2D uses the first two components.</summary>
    static readonly double[] Grad3 =
    [
        1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1, 0,
        1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, -1,
        0, 1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1,
    ];

    /// <param name="perm">[B,256] int64 permutations of 0…255.</param>
    /// <param name="x">[B,P] float64 coordinates (or broadcastable to it).</param>
    /// <param name="y">Like <paramref name="x"/>.</param>
    /// <returns>[B,P] float64 noise, on perm's device.</returns>
    public static Tensor Noise2d(Tensor perm, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var shape = Shape(perm, x + y);
        var (p, xs, ys) = (Doubled(perm), Values(x, shape), Values(y, shape));
        return Batch(perm, shape, (row, at) => Noise2d(p.AsSpan(row * 512, 512), xs[at], ys[at])).MoveToOuterDisposeScope();
    }

    /// <param name="perm">[B,256] int64 permutations of 0…255.</param>
    /// <param name="x">[B,P] float64 coordinates (or broadcastable to it); likewise y and z.</param>
    /// <returns>[B,P] float64 noise, on perm's device.</returns>
    public static Tensor Noise3d(Tensor perm, Tensor x, Tensor y, Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var shape = Shape(perm, x + y + z);
        var (p, xs, ys, zs) = (Doubled(perm), Values(x, shape), Values(y, shape), Values(z, shape));
        return Batch(perm, shape, (row, at) => Noise3d(p.AsSpan(row * 512, 512), xs[at], ys[at], zs[at])).MoveToOuterDisposeScope();
    }

    /// <summary>SimplexNoise.java's noise(xin, yin) with the doubled table <paramref name="p"/>.</summary>
    static double Noise2d(ReadOnlySpan<long> p, double x, double y)
    {
        double s = (x + y) * F2;
        double i = Math.Floor(x + s), j = Math.Floor(y + s);
        double t = (i + j) * G2;
        double x0 = x - (i - t), y0 = y - (j - t);
        int i1 = x0 > y0 ? 1 : 0, j1 = 1 - i1;   // lower triangle (1,0) or upper (0,1)
        long ii = Wrap(i), jj = Wrap(j);
        double n = Corner(0.5, Gradient(p, ii, jj), x0, y0, 0)
                 + Corner(0.5, Gradient(p, ii + i1, jj + j1), x0 - i1 + G2, y0 - j1 + G2, 0)
                 + Corner(0.5, Gradient(p, ii + 1, jj + 1), x0 - 1 + 2 * G2, y0 - 1 + 2 * G2, 0);
        return 70 * n;
    }

    /// <summary>SimplexNoise.java's noise(xin, yin, zin) with the doubled table <paramref name="p"/>.</summary>
    static double Noise3d(ReadOnlySpan<long> p, double x, double y, double z)
    {
        double s = (x + y + z) * F3;
        double i = Math.Floor(x + s), j = Math.Floor(y + s), k = Math.Floor(z + s);
        double t = (i + j + k) * G3;
        double x0 = x - (i - t), y0 = y - (j - t), z0 = z - (k - t);
        var (i1, j1, k1, i2, j2, k2) = SimplexCorners(x0, y0, z0);
        long ii = Wrap(i), jj = Wrap(j), kk = Wrap(k);
        double n = Corner(0.6, Gradient(p, ii, jj, kk), x0, y0, z0)
                 + Corner(0.6, Gradient(p, ii + i1, jj + j1, kk + k1), x0 - i1 + G3, y0 - j1 + G3, z0 - k1 + G3)
                 + Corner(0.6, Gradient(p, ii + i2, jj + j2, kk + k2), x0 - i2 + 2 * G3, y0 - j2 + 2 * G3, z0 - k2 + 2 * G3)
                 + Corner(0.6, Gradient(p, ii + 1, jj + 1, kk + 1), x0 - 1 + 3 * G3, y0 - 1 + 3 * G3, z0 - 1 + 3 * G3);
        return 32 * n;
    }

    /// <summary>Offsets (i1,j1,k1) and (i2,j2,k2) of the second and third simplex corners: Gustavson's six
    /// rank-order branches.</summary>
    static (int, int, int, int, int, int) SimplexCorners(double x0, double y0, double z0)
    {
        if (x0 >= y0)
        {
            if (y0 >= z0) return (1, 0, 0, 1, 1, 0);   // X Y Z order
            if (x0 >= z0) return (1, 0, 0, 1, 0, 1);   // X Z Y order
            return (0, 0, 1, 1, 0, 1);                 // Z X Y order
        }
        if (y0 < z0) return (0, 0, 1, 0, 1, 1);        // Z Y X order
        if (x0 < z0) return (0, 1, 0, 0, 1, 1);        // Y Z X order
        return (0, 1, 0, 1, 1, 0);                     // Y X Z order
    }

    /// <summary>The gradient index of a corner, perm[i + perm[j]] mod 12 (2D) as in Gustavson's code.</summary>
    static long Gradient(ReadOnlySpan<long> p, long i, long j) => p[(int)(i + p[(int)j])] % 12;

    /// <summary>The gradient index of a corner, perm[i + perm[j + perm[k]]] mod 12 (3D).</summary>
    static long Gradient(ReadOnlySpan<long> p, long i, long j, long k) => p[(int)(i + p[(int)(j + p[(int)k])])] % 12;

    /// <summary>max(0, r² − |d|²)⁴ · (g · d) for one simplex corner; gradient index g into grad3.</summary>
    static double Corner(double r2, long g, double dx, double dy, double dz)
    {
        double t = r2 - dx * dx - dy * dy - dz * dz;
        if (t < 0) return 0;
        double t2 = t * t;
        return t2 * t2 * (Grad3[3 * g] * dx + Grad3[3 * g + 1] * dy + Grad3[3 * g + 2] * dz);
    }

    /// <summary>[B,P] values of <paramref name="noise"/>(row, flat index), one row per task, on perm's device.</summary>
    static Tensor Batch(Tensor perm, long[] shape, Func<int, int, double> noise)
    {
        int rows = (int)shape[0], points = (int)shape[1];
        var values = new double[rows * points];
        ParallelLoop.For(0, rows, row =>
        {
            for (int at = row * points; at < (row + 1) * points; at++) values[at] = noise(row, at);
        });
        return torch.tensor(values, shape, ScalarType.Float64).to(perm.device);
    }

    /// <summary>perm[b] repeated twice (B × 512, row-major) so that perm[i + perm[j]] needs no wrap, as in Gustavson's code.</summary>
    static long[] Doubled(Tensor perm)
    {
        if (perm.ndim != 2 || perm.size(1) != 256 || perm.dtype != ScalarType.Int64)
            throw new ArgumentException($"expected perm as [B,256] int64, got [{string.Join(", ", perm.shape)}] {perm.dtype}");
        var values = Array<long>(perm);
        if (values.Any(v => v is < 0 or > 255)) throw new ArgumentException("expected perm's entries in 0 … 255");
        var doubled = new long[values.Length * 2];
        for (int row = 0; row < perm.size(0); row++)
        {
            values.AsSpan(row * 256, 256).CopyTo(doubled.AsSpan(row * 512));
            values.AsSpan(row * 256, 256).CopyTo(doubled.AsSpan(row * 512 + 256));
        }
        return doubled;
    }

    /// <summary>Coordinates broadcast to [B,P], as a row-major float64 array.</summary>
    static double[] Values(Tensor v, long[] shape) => Array<double>(v.to(ScalarType.Float64).expand(shape));

    /// <summary>A copy of the tensor's elements, row-major (one block copy: TorchSharp's data&lt;T&gt;().ToArray() copies
    /// element by element, which cost more than the noise itself).</summary>
    static T[] Array<T>(Tensor v) where T : unmanaged
    {
        return MemoryMarshal.Cast<byte, T>(v.cpu().contiguous().bytes).ToArray();
    }

    static long[] Shape(Tensor perm, Tensor sum) => [perm.size(0), sum.size(-1)];
    static long Wrap(double floored) => (long)floored & 255;
}
