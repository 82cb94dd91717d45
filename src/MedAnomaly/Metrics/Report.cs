using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MedAnomaly.Metrics;

/// <summary>Image-level metrics: image scores from the maps (or given), labels = any lesion pixel (or given).</summary>
public sealed record ImageLevelMetrics(string Scoring, SweepResult Sweep)
{
    public double BestF1 => Sweep.BestDice;
}

/// <summary>Mean ± population standard deviation (ddof = 0) of one metric over volumes.</summary>
public readonly record struct MeanStd(double Mean, double Std, int Count)
{
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new MeanStd(double.NaN, double.NaN, 0);
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return new MeanStd(mean, Math.Sqrt(variance), values.Count);
    }
}

/// <summary>Per-volume metrics: every curve metric on each volume alone, then averaged. Volumes with only one class
/// (e.g. no lesion) are skipped from the averages and counted in <see cref="Skipped"/>.</summary>
public sealed record PerVolumeMetrics(int Volumes, int Skipped, IReadOnlyList<(ICurveMetric Metric, MeanStd Value)> Values)
{
    /// <summary>The mean ± std of the metric called <paramref name="name"/>.</summary>
    public MeanStd this[string name]
    {
        get
        {
            foreach (var (metric, value) in Values) if (metric.Name == name) return value;
            throw new KeyNotFoundException($"no curve metric '{name}' per volume; there are {string.Join(", ", Values.Select(v => v.Metric.Name))}");
        }
    }

    public MeanStd Auroc => this[MetricRegistry.Auroc.Name];
    public MeanStd AveragePrecision => this[MetricRegistry.AveragePrecision.Name];
    public MeanStd BestDice => this[MetricRegistry.BestDice.Name];
}

/// <summary>Pixel-level metrics over a dataset.</summary>
/// <param name="Pooled">Every curve metric pooled over all (foreground) pixels.</param>
/// <param name="BestDice">Best Dice under the chosen mode (equal to Pooled.BestDice in exact mode).</param>
/// <param name="OperatingPoints">Mask metrics at the given threshold (first, when one was given) and at the pooled
/// exact best-Dice threshold (oracle, always).</param>
public sealed record PixelLevelMetrics(SweepResult Pooled, BestDiceResult BestDice, PerVolumeMetrics PerVolume, IReadOnlyList<OperatingPoint> OperatingPoints)
{
    /// <summary>The reported operating point: the given threshold, or the oracle one when none was given.</summary>
    public OperatingPoint Primary => OperatingPoints[0];
    /// <summary>The operating point at the pooled exact best-Dice threshold.</summary>
    public OperatingPoint Oracle => OperatingPoints.Single(p => p.IsOracle);
    /// <summary>The operating point at the given threshold, if one was given.</summary>
    public OperatingPoint? Given => OperatingPoints.SingleOrDefault(p => !p.IsOracle);

    /// <summary>The threshold of <see cref="Primary"/>.</summary>
    public double Threshold => Primary.Threshold;
    /// <summary>"given", "validation" or "pooled exact best-Dice threshold (oracle)".</summary>
    public string ThresholdSource => Primary.Source;
    /// <summary>Confusion counts at <see cref="Threshold"/> (predict score ≥ t), after component removal if any.</summary>
    public ConfusionCounts AtThreshold => Primary.Counts;
}

/// <summary>Everything <c>medanomaly metrics</c> prints, with the definitions used named in the text.</summary>
public sealed record MetricsReport(int Images, bool ForegroundRestricted, string PostProcessing, ImageLevelMetrics? Image, PixelLevelMetrics? Pixel)
{
    static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Aligned plain text, one metric per line.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Ci, $"images: {Images}   foreground-only: {(ForegroundRestricted ? "yes" : "no")}   post-processing: {PostProcessing}");
        if (Image is { } im)
        {
            sb.AppendLine(Ci, $"image level (score = {im.Scoring}; {im.Sweep.Positives} anomalous, {im.Sweep.Negatives} normal)");
            CurveLines(sb, im.Sweep);
        }
        if (Pixel is { } px)
        {
            sb.AppendLine(Ci, $"pixel level, pooled ({px.Pooled.Positives} lesion, {px.Pooled.Negatives} normal pixels)");
            CurveLines(sb, px.Pooled);
            if (px.BestDice.Mode != BestDiceMode.Exact) Line(sb, $"best Dice ({px.BestDice.Mode})", px.BestDice.Dice, px.BestDice.Threshold);
            sb.AppendLine(Ci, $"  {"best Dice mode",-28} {px.BestDice.ModeDescription}");
            foreach (var point in px.OperatingPoints)
            {
                sb.AppendLine(Ci, $"  at threshold {point.Threshold.ToString("G9", Ci)} ({point.Source}; score >= t)");
                foreach (var (metric, value) in point.Values) Line(sb, "  " + metric.Label, value);
                sb.AppendLine(Ci, $"    cases: {Describe(point.Cases)}");
            }
            var pv = px.PerVolume;
            sb.AppendLine(Ci, $"pixel level, per volume (mean ± std over {pv.Volumes - pv.Skipped} of {pv.Volumes} volumes; {pv.Skipped} without both classes skipped)");
            foreach (var (metric, m) in pv.Values) sb.AppendLine(Ci, $"  {metric.Label,-28} {m.Mean:F6} ± {m.Std:F6}");
        }
        return sb.ToString();
    }

    /// <summary>The cases surface metrics were computed on, their unit and empty-mask convention, in one line.</summary>
    static string Describe(CaseSummary c) =>
        string.Format(Ci, "{0} {1}{9} ({2}); {3} with both masks empty, {4} with no prediction, {5} with no lesion; distances in {6}{7}; {8}",
            c.Count, c.Kind, c.Kind == "volume" ? "3D, slices stacked in input order" : "2D", c.BothEmpty, c.PredictionEmpty, c.LesionEmpty,
            c.Unit, c.Spacing == null ? "" : " (spacing " + string.Join("x", c.Spacing.Select(s => s.ToString("G6", Ci))) + ")", c.EmptyMasks.Description, c.Count == 1 ? "" : "s");

    static void CurveLines(StringBuilder sb, SweepResult sweep)
    {
        foreach (var (metric, value) in sweep.Values) Line(sb, metric.Label, value.Value, value.Threshold);
    }

    static void Line(StringBuilder sb, string label, double value, double threshold = double.NaN)
    {
        sb.Append(Ci, $"  {label,-28} {value:F6}");
        if (!double.IsNaN(threshold)) sb.Append(Ci, $"   (threshold {threshold.ToString("G9", Ci)})");
        sb.AppendLine();
    }

    /// <summary>One JSON object (NaN written as null).</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["images"] = Images, ["foreground_only"] = ForegroundRestricted, ["post_processing"] = PostProcessing,
            ["definitions"] = Definitions(),
        };
        if (Image is { } im)
        {
            var o = Sweep(im.Sweep);
            o["scoring"] = im.Scoring;
            o["best_f1"] = Num(im.BestF1);
            root["image"] = o;
        }
        if (Pixel is { } px)
        {
            var o = Sweep(px.Pooled);
            o["best_dice"] = Num(px.BestDice.Dice);
            o["best_dice_threshold"] = Num(px.BestDice.Threshold);
            o["best_dice_mode"] = px.BestDice.ModeDescription;
            o["best_dice_thresholds_tried"] = px.BestDice.ThresholdsTried;
            o["at_threshold"] = Point(px.Primary);
            if (px.Given != null) o["at_best_dice_threshold"] = Point(px.Oracle);
            var perVolume = new JsonObject { ["volumes"] = px.PerVolume.Volumes, ["skipped_one_class"] = px.PerVolume.Skipped };
            foreach (var (metric, m) in px.PerVolume.Values)
                perVolume[metric.Name] = new JsonObject { ["mean"] = Num(m.Mean), ["std"] = Num(m.Std), ["count"] = m.Count };
            perVolume["std_definition"] = "population (ddof=0)";
            o["per_volume"] = perVolume;
            root["pixel"] = o;
        }
        return root.ToJsonString();
    }

    static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    /// <summary>Name → definition of every registered metric.</summary>
    static JsonObject Definitions()
    {
        var o = new JsonObject();
        foreach (var m in MetricRegistry.Curve) o[m.Name] = m.Definition;
        foreach (var m in MetricRegistry.Mask) o[m.Name] = m.Definition;
        return o;
    }

    static JsonObject Sweep(SweepResult s)
    {
        var o = new JsonObject { ["positives"] = s.Positives, ["negatives"] = s.Negatives, ["distinct_positive_scores"] = s.DistinctPositiveScores };
        foreach (var (metric, value) in s.Values)
        {
            o[metric.Name] = Num(value.Value);
            if (!double.IsNaN(value.Threshold)) o[metric.Name + "_threshold"] = Num(value.Threshold);
        }
        return o;
    }

    static JsonObject Point(OperatingPoint p)
    {
        var o = new JsonObject
        {
            ["threshold"] = Num(p.Threshold), ["source"] = p.Source,
            ["tp"] = p.Counts.TruePositives, ["fp"] = p.Counts.FalsePositives, ["tn"] = p.Counts.TrueNegatives, ["fn"] = p.Counts.FalseNegatives,
        };
        foreach (var (metric, value) in p.Values) o[metric.Name] = Num(value);
        var c = p.Cases;
        o["cases"] = new JsonObject
        {
            ["kind"] = c.Kind, ["count"] = c.Count, ["both_empty"] = c.BothEmpty, ["prediction_empty"] = c.PredictionEmpty,
            ["lesion_empty"] = c.LesionEmpty, ["unit"] = c.Unit,
            ["spacing"] = c.Spacing == null ? null : new JsonArray(c.Spacing.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["empty_masks"] = c.EmptyMasks.Description,
        };
        return o;
    }
}
