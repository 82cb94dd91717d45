using MedAnomaly.Metrics;

namespace MedAnomaly.Experiments;

/// <summary>
/// The metrics an experiment stores, from a <see cref="MetricsReport"/>: names as the tables show them, each
/// with its definition (the field's conventions: REFERENCE.md "Metrics").
/// </summary>
public static class MetricRows
{
    public const string Split = "test";

    public static IEnumerable<MetricValue> From(MetricsReport report)
    {
        if (report.Pixel is { } px)
        {
            yield return new(Split, "pixel_auroc", px.Pooled.Auroc, "pixel AUROC pooled over all test pixels in the brain (sklearn roc_auc_score)");
            yield return new(Split, "pixel_ap", px.Pooled.AveragePrecision, "pixel average precision pooled over all test pixels in the brain (sklearn, step-wise)");
            yield return new(Split, "best_dice", px.Pooled.BestDice, "maximum Dice over all distinct thresholds, pooled (oracle)");
            yield return new(Split, "volume_best_dice", px.PerVolume.BestDice.Mean, "best Dice per volume, mean over volumes with lesions");
            yield return new(Split, "fpr_at_95_tpr", px.Pooled.FprAt95Tpr, "pixel FPR at the highest threshold with TPR >= 0.95");
        }
        if (report.Image is { } im)
        {
            yield return new(Split, "image_auroc", im.Sweep.Auroc, "slice-level AUROC (label: any lesion pixel; score: the detector's image score)");
            yield return new(Split, "image_ap", im.Sweep.AveragePrecision, "slice-level average precision (score: the detector's image score)");
        }
    }
}
