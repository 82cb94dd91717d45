namespace MedAnomaly.Metrics;

/// <summary>Average precision exactly as scikit-learn's <c>average_precision_score</c>: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over
/// the distinct thresholds, step-wise (no interpolation, not the trapezoidal area under the PR curve).</summary>
public static class Precision
{
    /// <summary>AP of scores [n] against labels [n].</summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        ThresholdSweep.Run(scores, labels, policy).AveragePrecision;

    /// <inheritdoc cref="AveragePrecision(ReadOnlySpan{float}, ReadOnlySpan{bool}, OneClassPolicy)"/>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        ThresholdSweep.Run(scores, labels, policy).AveragePrecision;
}
