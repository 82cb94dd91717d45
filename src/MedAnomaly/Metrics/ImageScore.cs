using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Metrics;

/// <summary>How one image's anomaly score is reduced from its map.</summary>
public enum ImageScoreKind { Mean, Max, TopKMean }

/// <summary>
/// The image-score rule, one for every method: the mean, the maximum or the mean of the <see cref="K"/> largest values of
/// the map, over all H×W pixels or over the brain only (<see cref="OverForeground"/>). <see cref="Default"/> is the mean
/// over the image, the convention of MedIAnomaly (Cai et al. 2024) and of DISYRE's evaluation (Marimont &amp; Tarroni 2024):
/// for a map that is zero outside the brain it equals the mean over the brain times the brain's share of the slice.
/// </summary>
public readonly record struct ImageScoring(ImageScoreKind Kind, int K = 0, bool OverForeground = false)
{
    public static readonly ImageScoring Mean = new(ImageScoreKind.Mean), Max = new(ImageScoreKind.Max);
    public static readonly ImageScoring Default = Mean;
    public static ImageScoring TopK(int k) => new(ImageScoreKind.TopKMean, k);

    /// <summary>The same rule over the brain's pixels only.</summary>
    public ImageScoring InForeground() => this with { OverForeground = true };

    /// <summary>"mean", "max", "top100" (over the image), or the same with a "fg-" prefix (over the brain).</summary>
    public override string ToString() => (OverForeground ? "fg-" : "") + (Kind == ImageScoreKind.TopKMean ? $"top{K}" : Kind.ToString().ToLowerInvariant());

    /// <summary>Parses what <see cref="ToString"/> prints.</summary>
    public static ImageScoring Parse(string text)
    {
        bool fg = text.StartsWith("fg-", StringComparison.Ordinal);
        string rule = fg ? text[3..] : text;
        ImageScoring? parsed = rule switch
        {
            "mean" => Mean,
            "max" => Max,
            _ when rule.StartsWith("top", StringComparison.Ordinal) && int.TryParse(rule.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k > 0 => TopK(k),
            _ => null,
        };
        return parsed is { } p ? p with { OverForeground = fg }
            : throw new ArgumentException($"image score must be mean, max or topK with K ≥ 1 (e.g. top100), optionally prefixed by fg- (brain pixels only); got '{text}'");
    }
}

/// <summary>Per-image scores from anomaly maps under an <see cref="ImageScoring"/> rule. Sums accumulate in double.</summary>
public static class ImageScore
{
    /// <summary>Scores [N] of maps [N, pixelsPerImage]; <paramref name="foreground"/> (same shape) is required when the rule
    /// is over the brain, and an image without brain pixels then scores 0.</summary>
    public static double[] Compute(ReadOnlySpan<float> maps, int imageCount, ImageScoring scoring, ReadOnlySpan<bool> foreground = default)
    {
        if (imageCount <= 0 || maps.Length % imageCount != 0)
            throw new ArgumentException($"maps hold {maps.Length} values, not a whole number of {imageCount} images");
        if (scoring.OverForeground) MetricInputs.CheckSameLength(maps.Length, foreground.Length, "maps", "foreground");
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
                if (!scoring.OverForeground || foreground[i * pixels + p]) buffer[m++] = map[p];
            scores[i] = m == 0 ? 0 : Reduce(buffer.AsSpan(0, m), scoring);
        }
        return scores;
    }

    /// <summary>The same rule on a map tensor [N,1,H,W] (foreground [N,1,H,W] when over the brain): [N] float32 on its device.</summary>
    public static Tensor Compute(Tensor map, ImageScoring scoring, Tensor? foreground = null)
    {
        if (map.ndim != 4 || map.size(1) != 1)
            throw new ArgumentException($"an anomaly map must be [N,1,H,W], got [{string.Join(", ", map.shape)}]", nameof(map));
        using var scope = torch.NewDisposeScope();
        var values = map.flatten(1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        bool[] fg = scoring.OverForeground
            ? (foreground ?? throw new ArgumentException("a brain-only image score needs the foreground", nameof(foreground))).flatten().gt(0).cpu().data<bool>().ToArray()
            : [];
        var scores = Compute(values, (int)map.size(0), scoring, fg);
        return torch.tensor(Array.ConvertAll(scores, s => (float)s), device: map.device).MoveToOuterDisposeScope();
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
