namespace MedAnomaly.Metrics;

/// <summary>Confusion counts of a binarised prediction and the rates derived from them. Undefined rates
/// (0/0, e.g. sensitivity without positives) are NaN.</summary>
public readonly record struct ConfusionCounts(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>2TP / (2TP + FP + FN); 0/0 (nothing predicted, nothing present) gives NaN.</summary>
    public double Dice => Ratio(2 * TruePositives, 2 * TruePositives + FalsePositives + FalseNegatives);
    /// <summary>Sensitivity (recall, TPR) = TP / (TP + FN).</summary>
    public double Sensitivity => Ratio(TruePositives, TruePositives + FalseNegatives);
    /// <summary>Specificity (TNR) = TN / (TN + FP).</summary>
    public double Specificity => Ratio(TrueNegatives, TrueNegatives + FalsePositives);
    /// <summary>False-positive rate = FP / (FP + TN) = 1 − specificity.</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;
}

/// <summary>Dice and rates at one fixed threshold: predicted positive ⇔ score ≥ threshold
/// (or score &gt; threshold with <c>strict</c>, the convention of MedIAnomaly's/DISYRE's evaluation code).</summary>
public static class Dice
{
    /// <summary>Counts over scores [n] and labels [n] (true = lesion).</summary>
    public static ConfusionCounts AtThreshold(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, double threshold, bool strict = false)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        MetricInputs.CheckFinite(scores);
        if (!double.IsFinite(threshold)) throw new ArgumentException($"threshold must be finite, got {threshold}", nameof(threshold));
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            bool predicted = strict ? scores[i] > threshold : scores[i] >= threshold;
            if (labels[i]) { if (predicted) tp++; else fn++; }
            else { if (predicted) fp++; else tn++; }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /// <summary>Counts of a binary prediction [n] against labels [n].</summary>
    public static ConfusionCounts OfMasks(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> labels)
    {
        MetricInputs.CheckSameLength(predicted.Length, labels.Length, "prediction", "labels");
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (labels[i]) { if (predicted[i]) tp++; else fn++; }
            else { if (predicted[i]) fp++; else tn++; }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }
}
