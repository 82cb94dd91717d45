namespace MedAnomaly.Metrics;

/// <summary>Average precision exactly as scikit-learn's <c>average_precision_score</c>: AP = Σₖ (Rₖ − Rₖ₋₁)·Pₖ over
/// the distinct thresholds, step-wise (no interpolation, not the trapezoidal area under the PR curve).</summary>
public sealed class AveragePrecisionMetric : ICurveMetric
{
    public string Name => "ap";
    public string Label => "AP (step-wise, sklearn)";
    public string Definition => "sum_k (R_k - R_{k-1}) P_k over distinct thresholds, step-wise (sklearn average_precision_score)";
    public bool HigherIsBetter => true;

    public CurveValue Compute(SweepCurve curve)
    {
        var tp = curve.TruePositives; var fp = curve.FalsePositives;
        double sum = 0;
        long tpPrevious = 0;
        for (int k = 0; k < curve.Count; k++)
        {
            sum += (double)(tp[k] - tpPrevious) * tp[k] / (tp[k] + fp[k]);
            tpPrevious = tp[k];
        }
        return new CurveValue(sum / curve.Positives);
    }
}
