namespace MedAnomaly.Metrics;

/// <summary>
/// Every metric MedAnomaly reports, in report order. Reports (<see cref="MetricsReport"/>), <c>medanomaly metrics</c>
/// and the experiment tables (<c>MetricRows</c>) iterate these lists, so a new metric is one file implementing
/// <see cref="ICurveMetric"/> or <see cref="IMaskMetric"/> plus one line here (docs/metrics.md, "Adding a metric").
/// </summary>
public static class MetricRegistry
{
    public static readonly AurocMetric Auroc = new();
    public static readonly AveragePrecisionMetric AveragePrecision = new();
    public static readonly BestDiceMetric BestDice = new();
    public static readonly FprAt95TprMetric FprAt95Tpr = new();

    static readonly Registration<ICurveMetric> CurveEntries = new(
    [
        Auroc,
        AveragePrecision,
        BestDice,
        FprAt95Tpr,
        new SensitivityAt5FprMetric(),
    ], m => m.Name);

    /// <summary>Metrics of a ranking (scores against labels), at image level, pooled pixel level and per volume.</summary>
    public static IReadOnlyList<ICurveMetric> Curve => CurveEntries.Snapshot();

    static readonly Registration<IMaskMetric> MaskEntries = new(
    [
        new CountMetric("dice", "Dice", "2TP/(2TP+FP+FN) of the thresholded prediction (0/0 -> NaN)", true, c => c.Dice),
        new CountMetric("sensitivity", "sensitivity", "TP/(TP+FN) of the thresholded prediction", true, c => c.Sensitivity),
        new CountMetric("specificity", "specificity", "TN/(TN+FP) of the thresholded prediction", true, c => c.Specificity),
        new CountMetric("fpr", "FPR", "FP/(FP+TN) of the thresholded prediction", false, c => c.FalsePositiveRate),
        new Hd95Metric(),
    ], m => m.Name);

    /// <summary>Metrics of the maps thresholded at an operating point, against the lesion masks.</summary>
    public static IReadOnlyList<IMaskMetric> Mask => MaskEntries.Snapshot();

    /// <summary>Registers a curve metric from another assembly; disposing the handle removes it.</summary>
    public static IDisposable Register(ICurveMetric metric) => CurveEntries.Add(metric);

    /// <summary>Registers a mask metric from another assembly; disposing the handle removes it.</summary>
    public static IDisposable Register(IMaskMetric metric) => MaskEntries.Add(metric);
}
