namespace MedAnomaly.Metrics;

/// <summary>A metric of a binary prediction (the maps thresholded at one operating point) against the lesion masks
/// (one file per metric; listed in <see cref="MetricRegistry.Mask"/>, which every report, the CLI and the
/// experiment tables iterate).</summary>
public interface IMaskMetric
{
    /// <summary>snake_case key: the JSON field and the experiment-table column.</summary>
    string Name { get; }

    /// <summary>Short label for text reports.</summary>
    string Label { get; }

    /// <summary>One line: the exact formula and the reference implementation it matches.</summary>
    string Definition { get; }

    /// <summary>False for errors and distances (tables then mark the lowest value as best).</summary>
    bool HigherIsBetter { get; }

    /// <summary>The value at one operating point; NaN when undefined.</summary>
    double Compute(SegmentationAtThreshold segmentation);
}
