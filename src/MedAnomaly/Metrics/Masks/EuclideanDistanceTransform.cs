namespace MedAnomaly.Metrics;

/// <summary>
/// Exact Euclidean distance transform on an N-D grid with anisotropic spacing: for every element, the distance to
/// the nearest feature element (SciPy's <c>distance_transform_edt(~features, sampling=spacing)</c>). Separable
/// algorithm of Felzenszwalb &amp; Huttenlocher, "Distance Transforms of Sampled Functions" (Theory of Computing 8,
/// 2012), Algorithm 1: one pass per axis, each the lower envelope of parabolas (x − q·s)² + f(q). O(n) per axis.
/// </summary>
public static class EuclideanDistanceTransform
{
    /// <summary>Distances [n] from every element of a row-major grid of <paramref name="shape"/> to the nearest true
    /// element of <paramref name="features"/>; +∞ everywhere when there is none.</summary>
    /// <param name="spacing">Element size along each axis (same order as <paramref name="shape"/>), finite and &gt; 0.</param>
    public static double[] Distances(ReadOnlySpan<bool> features, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        var d = SquaredDistances(features, shape, spacing);
        for (int i = 0; i < d.Length; i++) d[i] = Math.Sqrt(d[i]);
        return d;
    }

    /// <summary>Squared distances; see <see cref="Distances"/>.</summary>
    public static double[] SquaredDistances(ReadOnlySpan<bool> features, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        CheckGrid(features.Length, shape, spacing);
        var d = new double[features.Length];
        for (int i = 0; i < d.Length; i++) d[i] = features[i] ? 0 : double.PositiveInfinity;
        int longest = 0;
        foreach (int extent in shape) longest = Math.Max(longest, extent);
        var line = new double[longest]; var result = new double[longest];
        var vertices = new int[longest]; var bounds = new double[longest + 1];
        int stride = d.Length;
        for (int axis = 0; axis < shape.Length; axis++)
        {
            int extent = shape[axis];
            stride /= extent; // elements between neighbours along this axis
            for (int block = 0; block < d.Length; block += extent * stride)
                for (int offset = block; offset < block + stride; offset++)
                {
                    for (int x = 0; x < extent; x++) line[x] = d[offset + x * stride];
                    Envelope(line.AsSpan(0, extent), spacing[axis], result, vertices, bounds);
                    for (int x = 0; x < extent; x++) d[offset + x * stride] = result[x];
                }
        }
        return d;
    }

    /// <summary>d(x) = min over q of ((x − q)·s)² + f(q) for one line (FH Algorithm 1; +∞ samples hold no parabola).</summary>
    static void Envelope(ReadOnlySpan<double> f, double s, Span<double> d, Span<int> v, Span<double> z)
    {
        int n = f.Length, k = -1;
        for (int q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue;
            if (k < 0) { k = 0; v[0] = q; z[0] = double.NegativeInfinity; z[1] = double.PositiveInfinity; continue; }
            double cross = Intersection(f, s, v[k], q);
            while (cross <= z[k]) { k--; cross = Intersection(f, s, v[k], q); } // z[0] = −∞ stops the loop
            k++; v[k] = q; z[k] = cross; z[k + 1] = double.PositiveInfinity;
        }
        if (k < 0) { d[..n].Fill(double.PositiveInfinity); return; }
        for (int x = 0, j = 0; x < n; x++)
        {
            while (z[j + 1] < x * s) j++;
            double dx = (x - v[j]) * s;
            d[x] = dx * dx + f[v[j]];
        }
    }

    /// <summary>Position where the parabolas rooted at p &lt; q cross.</summary>
    static double Intersection(ReadOnlySpan<double> f, double s, int p, int q)
    {
        double xp = p * s, xq = q * s;
        return ((f[q] + xq * xq) - (f[p] + xp * xp)) / (2 * (xq - xp));
    }

    static void CheckGrid(int length, ReadOnlySpan<int> shape, ReadOnlySpan<double> spacing)
    {
        if (shape.Length == 0 || spacing.Length != shape.Length)
            throw new ArgumentException($"a grid needs one spacing per axis: shape has {shape.Length} axes, spacing {spacing.Length} values");
        long size = 1;
        foreach (int extent in shape)
        {
            if (extent <= 0) throw new ArgumentException($"grid extents must be positive, got [{string.Join(",", shape.ToArray())}]");
            size *= extent;
        }
        if (size != length) throw new ArgumentException($"grid of shape [{string.Join(",", shape.ToArray())}] holds {size} elements, the mask {length}");
        foreach (double s in spacing)
            if (!double.IsFinite(s) || s <= 0) throw new ArgumentException($"spacing must be finite and > 0, got [{string.Join(",", spacing.ToArray())}]");
    }
}
