namespace MedAnomaly.Metrics;

/// <summary>FPR at the highest threshold whose TPR ≥ 0.95: <c>fpr[argmax(tpr &gt;= 0.95)]</c> of scikit-learn's
/// <c>roc_curve(drop_intermediate=False)</c>.</summary>
public sealed class FprAt95TprMetric : ICurveMetric
{
    public string Name => "fpr_at_95_tpr";
    public string Label => "FPR at 95% TPR";
    public string Definition => "FPR at the highest threshold with TPR >= 0.95 (fpr[argmax(tpr >= 0.95)] of sklearn roc_curve)";
    public bool HigherIsBetter => false;

    public CurveValue Compute(SweepCurve curve)
    {
        var tp = curve.TruePositives;
        for (int k = 0; k < curve.Count; k++)
            if ((double)tp[k] / curve.Positives >= 0.95)
                return new CurveValue((double)curve.FalsePositives[k] / curve.Negatives, curve.Thresholds[k]);
        return new CurveValue(double.NaN); // unreachable: the last point has TP = P
    }
}
