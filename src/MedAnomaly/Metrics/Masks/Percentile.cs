namespace MedAnomaly.Metrics;

/// <summary>NumPy's default percentile (<c>np.percentile(a, q)</c>, method "linear"): virtual index h = (n − 1)·q/100
/// into the sorted values, interpolated between its neighbours with NumPy's <c>_lerp</c> (a + (b − a)·t, or
/// b − (b − a)·(1 − t) when t ≥ 0.5), the last value when h ≥ n − 1.</summary>
public static class Percentile
{
    /// <summary>The q-th percentile (0 ≤ q ≤ 100) of <paramref name="values"/>, which it sorts in place.</summary>
    public static double Linear(Span<double> values, double q)
    {
        if (values.IsEmpty) throw new ArgumentException("the percentile of no values is undefined");
        if (!(q >= 0 && q <= 100)) throw new ArgumentException($"percentile must be in [0, 100], got {q}");
        values.Sort();
        double h = (values.Length - 1) * (q / 100);
        if (h >= values.Length - 1) return values[^1];
        int below = (int)Math.Floor(h);
        double t = h - below, a = values[below], b = values[below + 1], difference = b - a;
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
    }
}
