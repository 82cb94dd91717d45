namespace MedAnomaly.Metrics;

/// <summary>Area under the ROC curve, exactly as scikit-learn's <c>roc_auc_score</c>: the trapezoidal area under
/// (FPR, TPR) with one point per distinct score (ties move together). Computed by <see cref="ThresholdSweep"/>.</summary>
public static class Roc
{
    /// <summary>AUROC of scores [n] against labels [n].</summary>
    public static double Auroc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        ThresholdSweep.Run(scores, labels, policy).Auroc;

    /// <inheritdoc cref="Auroc(ReadOnlySpan{float}, ReadOnlySpan{bool}, OneClassPolicy)"/>
    public static double Auroc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        ThresholdSweep.Run(scores, labels, policy).Auroc;

    /// <summary>FPR at the highest threshold whose TPR ≥ 0.95 (i.e. <c>fpr[argmax(tpr &gt;= 0.95)]</c> of <c>roc_curve</c>).</summary>
    public static double FprAt95Tpr(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        ThresholdSweep.Run(scores, labels, policy).FprAt95Tpr;
}
