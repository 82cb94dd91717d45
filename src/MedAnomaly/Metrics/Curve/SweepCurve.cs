namespace MedAnomaly.Metrics;

/// <summary>
/// The ROC / precision-recall curve of one ranking, as <see cref="ThresholdSweep"/> walks it: one point per distinct
/// positive score tₖ, highest first (predicted positive ⇔ score ≥ tₖ, scikit-learn's <c>roc_curve</c> convention,
/// tied scores move together). Thresholds held only by negatives are not points of their own: between tₖ₋₁ and tₖ
/// TP is constant, so the curve there is the flat segment from FP(tₖ₋₁) to <see cref="FalsePositivesAbove"/>(tₖ);
/// every vertex of the full curve is therefore known. Counts are exact integers.
/// </summary>
public sealed class SweepCurve
{
    readonly double[] _thresholds;
    readonly long[] _truePositives, _falsePositives, _falsePositivesAbove;

    internal SweepCurve(long positives, long negatives, double[] thresholds, long[] truePositives, long[] falsePositives, long[] falsePositivesAbove)
    {
        Positives = positives;
        Negatives = negatives;
        _thresholds = thresholds;
        _truePositives = truePositives;
        _falsePositives = falsePositives;
        _falsePositivesAbove = falsePositivesAbove;
    }

    /// <summary>A curve without points, for labels with only one class (every curve metric is then undefined).</summary>
    internal static SweepCurve OneClass(long positives, long negatives) => new(positives, negatives, [], [], [], []);

    /// <summary>P, the number of positive labels.</summary>
    public long Positives { get; }

    /// <summary>N, the number of negative labels.</summary>
    public long Negatives { get; }

    /// <summary>Whether both classes are present (P &gt; 0 and N &gt; 0); curve metrics are defined only then.</summary>
    public bool HasBothClasses => Positives > 0 && Negatives > 0;

    /// <summary>Number of points = number of distinct scores among the positives.</summary>
    public int Count => _thresholds.Length;

    /// <summary>tₖ, the distinct positive scores, descending.</summary>
    public ReadOnlySpan<double> Thresholds => _thresholds;

    /// <summary>TP(tₖ): positives with score ≥ tₖ (strictly increasing, last = P).</summary>
    public ReadOnlySpan<long> TruePositives => _truePositives;

    /// <summary>FP(tₖ): negatives with score ≥ tₖ.</summary>
    public ReadOnlySpan<long> FalsePositives => _falsePositives;

    /// <summary>Negatives with score &gt; tₖ; FP(tₖ) minus this = negatives tied with tₖ.</summary>
    public ReadOnlySpan<long> FalsePositivesAbove => _falsePositivesAbove;
}
