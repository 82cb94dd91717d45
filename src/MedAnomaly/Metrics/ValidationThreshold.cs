namespace MedAnomaly.Metrics;

/// <summary>A non-oracle operating point: pick the best-Dice threshold on a validation set, then report Dice,
/// sensitivity, specificity and FPR on the test set at that fixed threshold (Behrendt et al. 2023 style).</summary>
public static class ValidationThreshold
{
    /// <summary>The exact best-Dice threshold of validation scores [m] / labels [m] (predict score ≥ t).</summary>
    public static double Select(ReadOnlySpan<float> validationScores, ReadOnlySpan<bool> validationLabels) =>
        ThresholdSweep.Run(validationScores, validationLabels).BestDiceThreshold;

    /// <summary>Selects on validation and applies to test scores [n] / labels [n].</summary>
    public static (double Threshold, ConfusionCounts Test) SelectAndApply(ReadOnlySpan<float> validationScores, ReadOnlySpan<bool> validationLabels,
                                                                         ReadOnlySpan<float> testScores, ReadOnlySpan<bool> testLabels)
    {
        double t = Select(validationScores, validationLabels);
        return (t, Dice.AtThreshold(testScores, testLabels, t));
    }
}
