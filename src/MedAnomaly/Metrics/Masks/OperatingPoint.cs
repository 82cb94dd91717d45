namespace MedAnomaly.Metrics;

/// <summary>Every mask metric at one threshold (predict score ≥ t).</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Source">Where it came from: "given", "validation", or the pooled exact best-Dice threshold (oracle).</param>
/// <param name="IsOracle">True for the pooled exact best-Dice threshold, chosen on the test labels themselves.</param>
/// <param name="Counts">Confusion counts over foreground pixels, after component removal if any.</param>
/// <param name="Cases">The cases (volumes or slices) surface metrics were computed on, and how many had empty masks.</param>
/// <param name="Values">Each metric of <see cref="MetricRegistry.Mask"/> with its value, in registry order.</param>
public sealed record OperatingPoint(double Threshold, string Source, bool IsOracle, ConfusionCounts Counts, CaseSummary Cases,
                                    IReadOnlyList<(IMaskMetric Metric, double Value)> Values)
{
    /// <summary>Computes <paramref name="metrics"/> (default: the registry) on a binarised prediction.</summary>
    public static OperatingPoint Evaluate(double threshold, string source, bool isOracle, SegmentationAtThreshold segmentation,
                                          IReadOnlyList<IMaskMetric>? metrics = null)
    {
        metrics ??= MetricRegistry.Mask;
        var values = metrics.Select(m => (m, m.Compute(segmentation))).ToArray();
        return new OperatingPoint(threshold, source, isOracle, segmentation.Counts, segmentation.Summarize(), values);
    }

    /// <summary>The value of the metric called <paramref name="name"/>.</summary>
    public double this[string name]
    {
        get
        {
            foreach (var (metric, value) in Values) if (metric.Name == name) return value;
            throw new KeyNotFoundException($"no mask metric '{name}' at this operating point; it has {string.Join(", ", Values.Select(v => v.Metric.Name))}");
        }
    }
}
