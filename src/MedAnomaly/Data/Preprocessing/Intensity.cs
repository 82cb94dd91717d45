namespace MedAnomaly.Data;

/// <summary>Intensity preprocessing of a volume or image (flat float arrays, any shape).</summary>
public static class Intensity
{
    /// <summary>The q-quantile of <paramref name="values"/> with numpy.quantile's default "linear" method:
    /// sorted s, position q·(n−1), linear interpolation between its neighbours.</summary>
    public static double Quantile(ReadOnlySpan<float> values, double q)
    {
        if (values.Length == 0) throw new ArgumentException("quantile of an empty array");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return QuantileOfSorted(sorted, q);
    }

    /// <summary>numpy "linear" quantile of an already sorted array.</summary>
    public static double QuantileOfSorted(ReadOnlySpan<float> sorted, double q)
    {
        if (sorted.Length == 0) throw new ArgumentException("quantile of an empty array");
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"quantile must be in [0, 1], got {q}");
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        double frac = pos - lo;
        return sorted[lo] + frac * (sorted[hi] - (double)sorted[lo]);
    }

    /// <summary>Clamps every value to [min, max] in place. NaN values are rejected.</summary>
    public static void Clip(Span<float> data, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"clip: min {min} is above max {max}");
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            if (float.IsNaN(v)) throw new ArgumentException($"clip: NaN at element {i}; expected finite intensities");
            if (v < min) data[i] = (float)min;
            else if (v > max) data[i] = (float)max;
        }
    }

    /// <summary>
    /// Quantile scaling (DISYRE's intensity preprocessing): clip below <paramref name="clipBelow"/>, then map the
    /// <paramref name="low"/> and <paramref name="high"/> quantiles to 0 and 1 and clip to [0, 1], in place:
    /// x ← clip((max(x, c) − q_low) / (q_high − q_low), 0, 1). With <paramref name="foregroundOnly"/> the quantiles
    /// are taken over the voxels above <paramref name="clipBelow"/> only (background excluded). A constant input
    /// (q_high = q_low) becomes all zeros. Returns the two quantile values used.
    /// </summary>
    public static (double qLow, double qHigh) QuantileScale(Span<float> data, double low = 0, double high = 0.98,
                                                             double clipBelow = 0, bool foregroundOnly = false)
    {
        if (!(low >= 0 && low < high && high <= 1)) throw new ArgumentException($"quantile_scale: expected 0 <= low < high <= 1, got low {low}, high {high}");
        Clip(data, clipBelow);
        float[] pool = foregroundOnly ? Foreground.Values(data, clipBelow) : data.ToArray();
        if (pool.Length == 0) { data.Clear(); return (0, 0); }
        Array.Sort(pool);
        double qLow = QuantileOfSorted(pool, low), qHigh = QuantileOfSorted(pool, high);
        double range = qHigh - qLow;
        for (int i = 0; i < data.Length; i++)
            data[i] = range > 0 ? (float)Math.Clamp((data[i] - qLow) / range, 0, 1) : 0f;
        return (qLow, qHigh);
    }
}
