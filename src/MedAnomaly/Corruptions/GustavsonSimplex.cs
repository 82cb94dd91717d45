using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Classic 2D and 3D simplex noise (Perlin 2001) in Stefan Gustavson's public-domain formulation
/// ("Simplex noise demystified", 2005; SimplexNoise.java, 2012), vectorised over tensors: skew to the simplex
/// grid, pick the simplex, sum the corners' radial kernels (r² = 0.5 in 2D, 0.6 in 3D) times gradient dot
/// products, scale by 70 (2D) / 32 (3D). Values lie roughly in [−1, 1]; the noise is 0 at lattice points.
/// Each row b of the batch uses its own permutation table perm[b] (256 entries, a permutation of 0…255) —
/// Gustavson's code uses Perlin's fixed table; a random one gives an independent field.
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
    /// <returns>[B,P] float64 noise.</returns>
    public static Tensor Noise2d(Tensor perm, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var p = Doubled(perm);
        (x, y) = (x.expand(Shape(perm, x)), y.expand(Shape(perm, x)));
        var s = (x + y) * F2;
        var i = (x + s).floor();
        var j = (y + s).floor();
        var t = (i + j) * G2;
        var x0 = x - (i - t);
        var y0 = y - (j - t);
        var i1 = x0.gt(y0).to(ScalarType.Int64);  // lower triangle (1,0) or upper (0,1)
        var j1 = 1 - i1;
        var (ii, jj) = (Wrap(i), Wrap(j));
        var g0 = Mod12(p, ii + Lookup(p, jj));
        var g1 = Mod12(p, ii + i1 + Lookup(p, jj + j1));
        var g2 = Mod12(p, ii + 1 + Lookup(p, jj + 1));
        var n = Corner(0.5, g0, x0, y0)
              + Corner(0.5, g1, x0 - i1 + G2, y0 - j1 + G2)
              + Corner(0.5, g2, x0 - 1 + 2 * G2, y0 - 1 + 2 * G2);
        return (70 * n).MoveToOuterDisposeScope();
    }

    /// <param name="perm">[B,256] int64 permutations of 0…255.</param>
    /// <param name="x">[B,P] float64 coordinates (or broadcastable to it); likewise y and z.</param>
    /// <returns>[B,P] float64 noise.</returns>
    public static Tensor Noise3d(Tensor perm, Tensor x, Tensor y, Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var p = Doubled(perm);
        var shape = Shape(perm, x + y + z);
        (x, y, z) = (x.expand(shape), y.expand(shape), z.expand(shape));
        var s = (x + y + z) * F3;
        var (i, j, k) = ((x + s).floor(), (y + s).floor(), (z + s).floor());
        var t = (i + j + k) * G3;
        var (x0, y0, z0) = (x - (i - t), y - (j - t), z - (k - t));
        var (o1, o2) = SimplexCorners(x0, y0, z0);
        var (ii, jj, kk) = (Wrap(i), Wrap(j), Wrap(k));
        Tensor Gradient(Tensor di, Tensor dj, Tensor dk) => Mod12(p, ii + di + Lookup(p, jj + dj + Lookup(p, kk + dk)));
        var zero = torch.zeros_like(ii);
        var one = torch.ones_like(ii);
        var n = Corner(0.6, Gradient(zero, zero, zero), x0, y0, z0)
              + Corner(0.6, Gradient(o1.I, o1.J, o1.K), x0 - o1.I + G3, y0 - o1.J + G3, z0 - o1.K + G3)
              + Corner(0.6, Gradient(o2.I, o2.J, o2.K), x0 - o2.I + 2 * G3, y0 - o2.J + 2 * G3, z0 - o2.K + 2 * G3)
              + Corner(0.6, Gradient(one, one, one), x0 - 1 + 3 * G3, y0 - 1 + 3 * G3, z0 - 1 + 3 * G3);
        return (32 * n).MoveToOuterDisposeScope();
    }

    /// <summary>Offsets (i1,j1,k1) and (i2,j2,k2) of the second and third simplex corners: Gustavson's six
    /// rank-order branches (X≥Y≥Z → 100,110; X≥Z>Y → 100,101; Z>X≥Y → 001,101; Z>Y>X → 001,011;
    /// Y≥Z>X → 010,011; Y>X≥Z → 010,110) as boolean algebra on a = x≥y, b = y≥z, c = x≥z.</summary>
    static ((Tensor I, Tensor J, Tensor K) First, (Tensor I, Tensor J, Tensor K) Second) SimplexCorners(Tensor x0, Tensor y0, Tensor z0)
    {
        var a = x0.ge(y0);
        var b = y0.ge(z0);
        var c = x0.ge(z0);
        var i1 = a & (b | c);
        var j1 = ~a & b;
        var k1 = ~(i1 | j1);
        var i2 = a | (b & c);
        var j2 = ~a | b;
        var k2 = ~b | (~a & ~c);
        Tensor L(Tensor m) => m.to(ScalarType.Int64);
        return ((L(i1), L(j1), L(k1)), (L(i2), L(j2), L(k2)));
    }

    /// <summary>max(0, r² − |d|²)⁴ · (g · d) for one simplex corner; gradient index g into grad3.</summary>
    static Tensor Corner(double r2, Tensor g, Tensor dx, Tensor dy, Tensor? dz = null)
    {
        var t = (r2 - dx * dx - dy * dy - (dz is null ? 0 : dz * dz)).clamp_min(0);
        var t2 = t * t;
        var dot = GradientComponent(g, 0) * dx + GradientComponent(g, 1) * dy;
        if (dz is not null) dot += GradientComponent(g, 2) * dz;
        return t2 * t2 * dot;
    }

    static Tensor GradientComponent(Tensor g, int axis)
    {
        var table = torch.tensor(Grad3, [12, 3], ScalarType.Float64, device: g.device).select(1, axis).contiguous();
        return table.take(g);
    }

    /// <summary>perm[b] repeated twice ([B,512]) so that perm[i + perm[j]] needs no wrap, as in Gustavson's code.</summary>
    static Tensor Doubled(Tensor perm)
    {
        if (perm.ndim != 2 || perm.size(1) != 256 || perm.dtype != ScalarType.Int64)
            throw new ArgumentException($"expected perm as [B,256] int64, got [{string.Join(", ", perm.shape)}] {perm.dtype}");
        return torch.cat([perm, perm], 1);
    }

    static long[] Shape(Tensor perm, Tensor x) => [perm.size(0), x.size(-1)];
    static Tensor Wrap(Tensor floored) => floored.to(ScalarType.Int64).bitwise_and(255);
    static Tensor Lookup(Tensor p, Tensor index) => p.gather(1, index);
    static Tensor Mod12(Tensor p, Tensor index) => Lookup(p, index).remainder(12);
}
