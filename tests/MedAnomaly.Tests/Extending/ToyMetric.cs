using MedAnomaly.Metrics;

namespace MedAnomaly.Tests.Extending;

/// <summary>A metric added from outside the library (docs/extending.md): the precision at the highest threshold that
/// finds half of the positives.</summary>
public sealed class PrecisionAtHalfRecallMetric : ICurveMetric
{
    public string Name => "precision_at_half_recall";
    public string Label => "precision at 50% recall";
    public string Definition => "TP/(TP+FP) at the highest threshold with TPR >= 0.5";
    public bool HigherIsBetter => true;

    public CurveValue Compute(SweepCurve curve)
    {
        for (int k = 0; k < curve.Count; k++)
            if (2 * curve.TruePositives[k] >= curve.Positives)
                return new CurveValue((double)curve.TruePositives[k] / (curve.TruePositives[k] + curve.FalsePositives[k]), curve.Thresholds[k]);
        return new CurveValue(double.NaN);
    }
}
