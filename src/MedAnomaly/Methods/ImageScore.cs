using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>How a pixel-wise anomaly map becomes one image score (REFERENCE.md, "image score: mean, max, or mean of
/// the top-k pixels of the map").</summary>
public enum ScoreReduction
{
    /// <summary>The mean over all H×W pixels (background pixels count as 0 after foreground masking; MedIAnomaly's convention).</summary>
    Mean,
    /// <summary>The largest pixel value.</summary>
    Max,
    /// <summary>The mean of the k largest pixel values.</summary>
    TopKMean,
}

/// <summary>Image scores from anomaly maps.</summary>
public static class ImageScore
{
    /// <param name="map">[N,1,H,W] anomaly map.</param>
    /// <param name="reduction">How pixels are pooled.</param>
    /// <param name="topK">k for <see cref="ScoreReduction.TopKMean"/> (clamped to H·W).</param>
    /// <returns>[N] float32 scores, on the map's device.</returns>
    public static Tensor FromMap(Tensor map, ScoreReduction reduction, int topK = 100)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.ndim != 4 || map.size(1) != 1)
            throw new ArgumentException($"an anomaly map must be [N,1,H,W], got [{string.Join(", ", map.shape)}]", nameof(map));
        using var scope = torch.NewDisposeScope();
        var flat = map.flatten(1).to(ScalarType.Float32);
        var score = reduction switch
        {
            ScoreReduction.Mean => flat.mean([1]),
            ScoreReduction.Max => flat.amax([1]),
            ScoreReduction.TopKMean => topK >= 1
                ? flat.topk((int)Math.Min(topK, flat.size(1)), dim: 1).values.mean([1])
                : throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k needs k ≥ 1"),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown score reduction"),
        };
        return score.MoveToOuterDisposeScope();
    }
}
