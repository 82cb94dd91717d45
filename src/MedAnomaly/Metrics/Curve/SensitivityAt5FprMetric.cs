namespace MedAnomaly.Metrics;

/// <summary>Sensitivity at 5 % FPR: the largest TPR over thresholds whose FPR ≤ 0.05, i.e. <c>tpr[k]</c> at the last
/// index k with <c>fpr[k] &lt;= 0.05</c> of scikit-learn's <c>roc_curve(drop_intermediate=False)</c> (the lowest such
/// threshold). Reported with the highest threshold reaching that TPR; +∞ (predict nothing) when it is 0.</summary>
public sealed class SensitivityAt5FprMetric : ICurveMetric
{
    public string Name => "sensitivity_at_5_fpr";
    public string Label => "sensitivity at 5% FPR";
    public string Definition => "largest TPR with FPR <= 0.05 (tpr[k], k = last index with fpr <= 0.05 of sklearn roc_curve)";
    public bool HigherIsBetter => true;

    public CurveValue Compute(SweepCurve curve)
    {
        // FP only grows down the curve, and a threshold held only by negatives has the TPR of the point above it.
        var result = new CurveValue(0, double.PositiveInfinity);
        for (int k = 0; k < curve.Count && (double)curve.FalsePositives[k] / curve.Negatives <= 0.05; k++)
            result = new CurveValue((double)curve.TruePositives[k] / curve.Positives, curve.Thresholds[k]);
        return result;
    }
}
