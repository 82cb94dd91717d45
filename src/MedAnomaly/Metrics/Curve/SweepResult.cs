namespace MedAnomaly.Metrics;

/// <summary>The curve metrics of one ranking (every metric of <see cref="MetricRegistry.Curve"/> unless another list
/// was given), in registry order. Values are NaN when the labels hold one class only (<see cref="OneClassPolicy.NaN"/>).</summary>
/// <param name="Positives">P, number of positive labels.</param>
/// <param name="Negatives">N, number of negative labels.</param>
/// <param name="DistinctPositiveScores">Number of curve points: the distinct positive scores, i.e. the thresholds
/// where TP changes and the candidates for best Dice and FPR@95%TPR.</param>
/// <param name="Values">Each metric with its value.</param>
public sealed record SweepResult(long Positives, long Negatives, long DistinctPositiveScores, IReadOnlyList<(ICurveMetric Metric, CurveValue Value)> Values)
{
    /// <summary>Computes <paramref name="metrics"/> (default: the registry) on a curve.</summary>
    public static SweepResult Of(SweepCurve curve, IReadOnlyList<ICurveMetric>? metrics = null)
    {
        metrics ??= MetricRegistry.Curve;
        var values = new (ICurveMetric, CurveValue)[metrics.Count];
        for (int m = 0; m < metrics.Count; m++)
            values[m] = (metrics[m], curve.HasBothClasses ? metrics[m].Compute(curve) : new CurveValue(double.NaN));
        return new SweepResult(curve.Positives, curve.Negatives, curve.Count, values);
    }

    /// <summary>The value of the metric called <paramref name="name"/>.</summary>
    public CurveValue this[string name]
    {
        get
        {
            foreach (var (metric, value) in Values) if (metric.Name == name) return value;
            throw new KeyNotFoundException($"no curve metric '{name}' in this result; it has {string.Join(", ", Values.Select(v => v.Metric.Name))}");
        }
    }

    /// <summary>AUROC (<see cref="AurocMetric"/>).</summary>
    public double Auroc => this[MetricRegistry.Auroc.Name].Value;
    /// <summary>Average precision (<see cref="AveragePrecisionMetric"/>).</summary>
    public double AveragePrecision => this[MetricRegistry.AveragePrecision.Name].Value;
    /// <summary>Exact best Dice = best F1 (<see cref="BestDiceMetric"/>).</summary>
    public double BestDice => this[MetricRegistry.BestDice.Name].Value;
    /// <summary>The highest threshold reaching <see cref="BestDice"/>.</summary>
    public double BestDiceThreshold => this[MetricRegistry.BestDice.Name].Threshold;
    /// <summary>FPR at 95 % TPR (<see cref="FprAt95TprMetric"/>).</summary>
    public double FprAt95Tpr => this[MetricRegistry.FprAt95Tpr.Name].Value;
    /// <summary>The threshold of <see cref="FprAt95Tpr"/>.</summary>
    public double ThresholdAt95Tpr => this[MetricRegistry.FprAt95Tpr.Name].Threshold;
}
