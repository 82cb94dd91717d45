namespace MedAnomaly.Metrics;

/// <summary>Area under the ROC curve exactly as scikit-learn's <c>roc_auc_score</c>: the trapezoidal area under
/// (FPR, TPR) over all distinct thresholds, in integers as Σ ΔFP·(TPᵢ + TPᵢ₋₁) / (2PN).</summary>
public sealed class AurocMetric : ICurveMetric
{
    public string Name => "auroc";
    public string Label => "AUROC";
    public string Definition => "trapezoidal area under (FPR, TPR) over all distinct thresholds (sklearn roc_auc_score)";
    public bool HigherIsBetter => true;

    public CurveValue Compute(SweepCurve curve)
    {
        var tp = curve.TruePositives; var fp = curve.FalsePositives; var above = curve.FalsePositivesAbove;
        double twiceArea = 0;
        long tpPrevious = 0, fpPrevious = 0;
        for (int k = 0; k < curve.Count; k++)
        {
            twiceArea += (double)(above[k] - fpPrevious) * (2 * tpPrevious); // flat: negatives above tₖ
            twiceArea += (double)(fp[k] - above[k]) * (tp[k] + tpPrevious);  // diagonal: ties at tₖ
            tpPrevious = tp[k]; fpPrevious = fp[k];
        }
        twiceArea += (double)(curve.Negatives - fpPrevious) * (2 * curve.Positives); // negatives below every positive
        return new CurveValue(twiceArea / (2.0 * curve.Positives * curve.Negatives));
    }
}
