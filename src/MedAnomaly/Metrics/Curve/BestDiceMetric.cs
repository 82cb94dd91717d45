namespace MedAnomaly.Metrics;

/// <summary>Exact best Dice (⌈Dice⌉, = best F1): max over all distinct thresholds of 2TP/(2TP+FP+FN) = 2TP/(TP+FP+P),
/// reported with the highest threshold reaching it. Thresholds held only by negatives cannot win (same TP, more FP).
/// The sampled conventions of two papers are in <see cref="BestDice"/>.</summary>
public sealed class BestDiceMetric : ICurveMetric
{
    public string Name => "best_dice_exact";
    public string Label => "best Dice / F1 (exact)";
    public string Definition => "max over all distinct thresholds of 2TP/(TP+FP+P) (oracle), at the highest threshold reaching it";
    public bool HigherIsBetter => true;

    public CurveValue Compute(SweepCurve curve)
    {
        var tp = curve.TruePositives; var fp = curve.FalsePositives;
        double best = -1, threshold = double.NaN;
        for (int k = 0; k < curve.Count; k++)
        {
            double dice = 2.0 * tp[k] / (tp[k] + fp[k] + curve.Positives);
            if (dice > best) { best = dice; threshold = curve.Thresholds[k]; }
        }
        return new CurveValue(best, threshold);
    }
}
