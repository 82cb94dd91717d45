namespace MedAnomaly.Metrics;

/// <summary>How one image's anomaly score is reduced from its map.</summary>
public enum ImageScoreKind { Mean, Max, TopKMean }

/// <summary>Image-score rule: <see cref="ImageScoreKind.TopKMean"/> averages the <see cref="K"/> largest pixels.</summary>
public readonly record struct ImageScoring(ImageScoreKind Kind, int K = 0)
{
    public static readonly ImageScoring Mean = new(ImageScoreKind.Mean), Max = new(ImageScoreKind.Max);
    public static ImageScoring TopK(int k) => new(ImageScoreKind.TopKMean, k);
    public override string ToString() => Kind == ImageScoreKind.TopKMean ? $"top{K}-mean" : Kind.ToString().ToLowerInvariant();
}

/// <summary>Per-image scores from anomaly maps (MedIAnomaly: image score = mean of the map; others use max or
/// the mean of the top-k pixels). Sums accumulate in double.</summary>
public static class ImageScore
{
    /// <summary>Scores [N] of maps [N, pixelsPerImage]. With a foreground mask (same shape) only its pixels count;
    /// an image with no foreground pixel scores 0.</summary>
    public static double[] Compute(ReadOnlySpan<float> maps, int imageCount, ImageScoring scoring, ReadOnlySpan<bool> foreground = default)
    {
        if (imageCount <= 0 || maps.Length % imageCount != 0)
            throw new ArgumentException($"maps hold {maps.Length} values, not a whole number of {imageCount} images");
        if (!foreground.IsEmpty) MetricInputs.CheckSameLength(maps.Length, foreground.Length, "maps", "foreground");
        MetricInputs.CheckFinite(maps, "maps");
        if (scoring.Kind == ImageScoreKind.TopKMean && scoring.K < 1)
            throw new ArgumentException($"top-k image score needs k ≥ 1, got {scoring.K}");
        int pixels = maps.Length / imageCount;
        var scores = new double[imageCount];
        var buffer = new float[pixels];
        for (int i = 0; i < imageCount; i++)
        {
            var map = maps.Slice(i * pixels, pixels);
            int m = 0;
            for (int p = 0; p < pixels; p++)
                if (foreground.IsEmpty || foreground[i * pixels + p]) buffer[m++] = map[p];
            scores[i] = m == 0 ? 0 : Reduce(buffer.AsSpan(0, m), scoring);
        }
        return scores;
    }

    /// <summary>Score of one map's values [m] (m ≥ 1). Top-k with k &gt; m averages all m. Reorders <paramref name="values"/>.</summary>
    public static double Reduce(Span<float> values, ImageScoring scoring)
    {
        switch (scoring.Kind)
        {
            case ImageScoreKind.Mean: return Sum(values) / values.Length;
            case ImageScoreKind.Max:
                float max = values[0];
                foreach (float v in values) max = Math.Max(max, v);
                return max;
            case ImageScoreKind.TopKMean:
                int k = Math.Min(scoring.K, values.Length);
                values.Sort();
                return Sum(values[^k..]) / k;
            default: throw new ArgumentOutOfRangeException(nameof(scoring));
        }
    }

    static double Sum(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s;
    }
}
