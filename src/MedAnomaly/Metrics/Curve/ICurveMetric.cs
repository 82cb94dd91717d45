namespace MedAnomaly.Metrics;

/// <summary>A metric of a ranking, read off its <see cref="SweepCurve"/> (one file per metric; listed in
/// <see cref="MetricRegistry.Curve"/>, which every report, the CLI and the experiment tables iterate).</summary>
public interface ICurveMetric
{
    /// <summary>snake_case key: the JSON field and the base of the experiment-table column.</summary>
    string Name { get; }

    /// <summary>Short label for text reports.</summary>
    string Label { get; }

    /// <summary>One line: the exact formula and the reference implementation it matches.</summary>
    string Definition { get; }

    /// <summary>False for error rates (tables then mark the lowest value as best).</summary>
    bool HigherIsBetter { get; }

    /// <summary>The value on a curve with both classes (P &gt; 0, N &gt; 0, at least one point).</summary>
    CurveValue Compute(SweepCurve curve);
}

/// <summary>A curve metric's value and, for metrics read at one operating point, that point's threshold
/// (predict score ≥ it); NaN for metrics of the whole curve (AUROC, AP).</summary>
public readonly record struct CurveValue(double Value, double Threshold = double.NaN);
