using MedAnomaly.Metrics;

namespace MedAnomaly.Experiments;

/// <summary>
/// The metrics an experiment stores, from a <see cref="MetricsReport"/>: every metric of
/// <see cref="MetricRegistry"/>, named as the tables show them, each with its definition.
/// Curve metrics: <c>pixel_{name}</c> (pooled over the test pixels) and <c>image_{name}</c> (slice level); mask
/// metrics: <c>{name}</c> at the pooled best-Dice threshold and <c>{name}_at_threshold</c> at a given threshold;
/// plus <c>volume_best_dice</c>.
/// </summary>
public static class MetricRows
{
    public const string Split = "test";

    /// <summary>Column names stored before the registry existed: renaming them would orphan stored runs.</summary>
    static readonly Dictionary<string, string> PixelNames = new()
    {
        [MetricRegistry.BestDice.Name] = "best_dice",
        [MetricRegistry.FprAt95Tpr.Name] = "fpr_at_95_tpr",
    };

    /// <summary>At image level the exact best Dice is the best F1.</summary>
    static readonly Dictionary<string, string> ImageNames = new() { [MetricRegistry.BestDice.Name] = "image_best_f1" };

    public static IEnumerable<MetricValue> From(MetricsReport report)
    {
        if (report.Pixel is { } px)
        {
            string pixels = report.ForegroundRestricted ? "all test pixels in the brain" : "all test pixels";
            foreach (var (metric, value) in px.Pooled.Values)
                yield return new(Split, PixelName(metric), value.Value, $"pixel level, pooled over {pixels}: {metric.Definition}");
            yield return new(Split, "volume_best_dice", px.PerVolume.BestDice.Mean, "best Dice per volume, mean over volumes with lesions");
            foreach (var (metric, value) in px.Oracle.Values)
                yield return new(Split, metric.Name, value, $"at the pooled best-Dice threshold (oracle): {metric.Definition} {Cases(px.Oracle)}");
            if (px.Given is { } given)
                foreach (var (metric, value) in given.Values)
                    yield return new(Split, metric.Name + "_at_threshold", value, $"at the threshold {given.Threshold:G6} ({given.Source}): {metric.Definition} {Cases(given)}");
        }
        if (report.Image is { } im)
            foreach (var (metric, value) in im.Sweep.Values)
                yield return new(Split, ImageName(metric), value.Value, $"slice level (label: any lesion pixel; score: the image score {im.Scoring}): {metric.Definition}");
    }

    /// <summary>The names of every column where lower is better (error rates, distances), for <see cref="TableOptions.LowerIsBetter"/>.</summary>
    public static IReadOnlySet<string> LowerIsBetter { get; } = new HashSet<string>(
        MetricRegistry.Curve.Where(m => !m.HigherIsBetter).SelectMany(m => new[] { PixelName(m), ImageName(m) })
            .Concat(MetricRegistry.Mask.Where(m => !m.HigherIsBetter).SelectMany(m => new[] { m.Name, m.Name + "_at_threshold" })));

    /// <summary>What surface metrics were computed on, e.g. "[cases: 6 volumes (3D), distances in px]".</summary>
    static string Cases(OperatingPoint point) =>
        $"[cases: {point.Cases.Count} {point.Cases.Kind}s ({(point.Cases.Kind == "volume" ? "3D" : "2D")}), distances in {point.Cases.Unit}]";

    static string PixelName(ICurveMetric metric) => PixelNames.GetValueOrDefault(metric.Name, "pixel_" + metric.Name);

    static string ImageName(ICurveMetric metric) => ImageNames.GetValueOrDefault(metric.Name, "image_" + metric.Name);
}
