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

/// <summary>Per-volume metrics: each volume evaluated on its own, then averaged. Volumes with only one class
/// (e.g. no lesion) are skipped from the averages and counted in <see cref="Skipped"/>.</summary>
public sealed record PerVolumeMetrics(int Volumes, int Skipped, MeanStd Auroc, MeanStd AveragePrecision, MeanStd BestDice);

/// <summary>Pixel-level metrics over a dataset.</summary>
/// <param name="Pooled">Exact AUROC/AP/best Dice/FPR@95 pooled over all (foreground) pixels.</param>
/// <param name="BestDice">Best Dice under the chosen mode (equal to Pooled.BestDice in exact mode).</param>
/// <param name="Threshold">The threshold used for <see cref="AtThreshold"/>.</param>
/// <param name="ThresholdSource">"given" or "pooled best-Dice threshold (oracle)" or "validation".</param>
/// <param name="AtThreshold">Confusion counts at that threshold (predict score ≥ t), after component removal if any.</param>
public sealed record PixelLevelMetrics(SweepResult Pooled, BestDiceResult BestDice, PerVolumeMetrics PerVolume,
                                       double Threshold, string ThresholdSource, ConfusionCounts AtThreshold);

/// <summary>Everything <c>medanomaly metrics</c> prints, with the definitions used named in the text.</summary>
public sealed record MetricsReport(int Images, bool ForegroundRestricted, string PostProcessing, ImageLevelMetrics? Image, PixelLevelMetrics? Pixel)
{
    /// <summary>Aligned plain text, one metric per line.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        void Line(string name, double v) => sb.AppendLine(ci, $"  {name,-28} {v:F6}");
        sb.AppendLine(ci, $"images: {Images}   foreground-only: {(ForegroundRestricted ? "yes" : "no")}   post-processing: {PostProcessing}");
        if (Image is { } im)
        {
            sb.AppendLine(ci, $"image level (score = {im.Scoring}; {im.Sweep.Positives} anomalous, {im.Sweep.Negatives} normal)");
            Line("AUROC", im.Sweep.Auroc);
            Line("AP (step-wise, sklearn)", im.Sweep.AveragePrecision);
            Line("best F1", im.BestF1);
            Line("best F1 threshold", im.Sweep.BestDiceThreshold);
            Line("FPR at 95% TPR", im.Sweep.FprAt95Tpr);
        }
        if (Pixel is { } px)
        {
            sb.AppendLine(ci, $"pixel level, pooled ({px.Pooled.Positives} lesion, {px.Pooled.Negatives} normal pixels)");
            Line("AUROC", px.Pooled.Auroc);
            Line("AP (step-wise, sklearn)", px.Pooled.AveragePrecision);
            Line("best Dice", px.BestDice.Dice);
            sb.AppendLine(ci, $"  {"best Dice mode",-28} {px.BestDice.ModeDescription}");
            Line("best Dice threshold", px.BestDice.Threshold);
            if (px.BestDice.Mode != BestDiceMode.Exact) Line("best Dice (exact)", px.Pooled.BestDice);
            Line("FPR at 95% TPR", px.Pooled.FprAt95Tpr);
            sb.AppendLine(ci, $"  at threshold {px.Threshold.ToString("G9", ci)} ({px.ThresholdSource}; score >= t)");
            Line("  Dice", px.AtThreshold.Dice);
            Line("  sensitivity", px.AtThreshold.Sensitivity);
            Line("  specificity", px.AtThreshold.Specificity);
            Line("  FPR", px.AtThreshold.FalsePositiveRate);
            var pv = px.PerVolume;
            sb.AppendLine(ci, $"pixel level, per volume (mean ± std over {pv.Volumes - pv.Skipped} of {pv.Volumes} volumes; {pv.Skipped} without both classes skipped; exact best Dice)");
            void Ms(string name, MeanStd m) => sb.AppendLine(ci, $"  {name,-28} {m.Mean:F6} ± {m.Std:F6}");
            Ms("AUROC", pv.Auroc);
            Ms("AP", pv.AveragePrecision);
            Ms("best Dice", pv.BestDice);
        }
        return sb.ToString();
    }

    /// <summary>One JSON object (NaN written as null).</summary>
    public string ToJson()
    {
        static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        static JsonObject Sweep(SweepResult s) => new()
        {
            ["positives"] = s.Positives, ["negatives"] = s.Negatives, ["distinct_positive_scores"] = s.DistinctPositiveScores,
            ["auroc"] = Num(s.Auroc), ["ap"] = Num(s.AveragePrecision), ["best_dice_exact"] = Num(s.BestDice),
            ["best_dice_exact_threshold"] = Num(s.BestDiceThreshold), ["fpr_at_95_tpr"] = Num(s.FprAt95Tpr),
            ["threshold_at_95_tpr"] = Num(s.ThresholdAt95Tpr),
        };
        static JsonObject Ms(MeanStd m) => new() { ["mean"] = Num(m.Mean), ["std"] = Num(m.Std), ["count"] = m.Count };
        var root = new JsonObject
        {
            ["images"] = Images, ["foreground_only"] = ForegroundRestricted, ["post_processing"] = PostProcessing,
            ["ap_definition"] = "sklearn average_precision_score: sum_n (R_n - R_{n-1}) P_n, step-wise",
            ["auroc_definition"] = "trapezoidal ROC area over all distinct thresholds (sklearn roc_auc_score)",
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
            o["at_threshold"] = new JsonObject
            {
                ["threshold"] = Num(px.Threshold), ["source"] = px.ThresholdSource,
                ["tp"] = px.AtThreshold.TruePositives, ["fp"] = px.AtThreshold.FalsePositives,
                ["tn"] = px.AtThreshold.TrueNegatives, ["fn"] = px.AtThreshold.FalseNegatives,
                ["dice"] = Num(px.AtThreshold.Dice), ["sensitivity"] = Num(px.AtThreshold.Sensitivity),
                ["specificity"] = Num(px.AtThreshold.Specificity), ["fpr"] = Num(px.AtThreshold.FalsePositiveRate),
            };
            o["per_volume"] = new JsonObject
            {
                ["volumes"] = px.PerVolume.Volumes, ["skipped_one_class"] = px.PerVolume.Skipped,
                ["auroc"] = Ms(px.PerVolume.Auroc), ["ap"] = Ms(px.PerVolume.AveragePrecision), ["best_dice_exact"] = Ms(px.PerVolume.BestDice),
                ["std_definition"] = "population (ddof=0)",
            };
            root["pixel"] = o;
        }
        return root.ToJsonString();
    }
}
