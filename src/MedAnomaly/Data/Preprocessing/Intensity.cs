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

    /// <summary>numpy "linear" quantile by selection (expected O(n), no full sort). Reorders <paramref name="scratch"/>.</summary>
    public static double SelectQuantile(float[] scratch, double q)
    {
        if (scratch.Length == 0) throw new ArgumentException("quantile of an empty array");
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"quantile must be in [0, 1], got {q}");
        double pos = q * (scratch.Length - 1);
        int lo = (int)Math.Floor(pos);
        float a = Select(scratch, lo);
        if (lo + 1 >= scratch.Length || pos == lo) return a;
        // After selection every element right of lo is >= a: the next order statistic is their minimum.
        float b = float.PositiveInfinity;
        for (int i = lo + 1; i < scratch.Length; i++) if (scratch[i] < b) b = scratch[i];
        return a + (pos - lo) * (b - (double)a);
    }

    /// <summary>Hoare quickselect (median-of-three pivot): puts the k-th smallest at index k, smaller ones before it,
    /// larger or equal ones after it, and returns it.</summary>
    private static float Select(float[] a, int k)
    {
        int left = 0, right = a.Length - 1;
        while (right > left)
        {
            int mid = left + (right - left) / 2;
            if (a[mid] < a[left]) (a[mid], a[left]) = (a[left], a[mid]);
            if (a[right] < a[left]) (a[right], a[left]) = (a[left], a[right]);
            if (a[right] < a[mid]) (a[right], a[mid]) = (a[mid], a[right]);
            float pivot = a[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return a[k];
        }
        return a[k];
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
        double qLow = SelectQuantile(pool, low), qHigh = SelectQuantile(pool, high);
        double range = qHigh - qLow;
        for (int i = 0; i < data.Length; i++)
            data[i] = range > 0 ? (float)Math.Clamp((data[i] - qLow) / range, 0, 1) : 0f;
        return (qLow, qHigh);
    }
}
