using Deedle;

namespace MedAnomaly.Experiments;

/// <summary>A metric of one method over seeds: the mean, the sample standard deviation (ddof = 1, i.e. divided by
/// n − 1) and n, the number of seeds with a value. <see cref="Std"/> is NaN when n &lt; 2 (a spread is not
/// defined from one seed); tables show it as "–".</summary>
public readonly record struct SeedStat(double Mean, double Std, int Seeds);

/// <summary>One seed's value of a metric, with the run that measured it.</summary>
public readonly record struct SeedValue(long Seed, long RunId, double Value);

/// <summary>The method × metric table of <see cref="SeedStat"/>s for one dataset and split, as
/// <see cref="SeedStatistics.Summarize"/> computes it. Methods and metrics keep the order of their first
/// appearance in the results. A cell with no value for any seed is missing (<see cref="Get"/> returns null),
/// never zero.</summary>
public sealed class SeedSummary
{
    readonly IReadOnlyDictionary<(string Method, string Metric), IReadOnlyList<SeedValue>> values;

    internal SeedSummary(string split, IReadOnlyList<string> datasets, IReadOnlyList<string> methods, IReadOnlyList<string> metrics,
        Frame<string, string> pivot, IReadOnlyDictionary<(string, string), IReadOnlyList<SeedValue>> values)
    {
        Split = split;
        Datasets = datasets;
        Methods = methods;
        Metrics = metrics;
        Pivot = pivot;
        this.values = values;
    }

    /// <summary>The split the numbers were measured on.</summary>
    public string Split { get; }

    /// <summary>The dataset(s) the numbers come from (one, unless the caller asked to pool datasets).</summary>
    public IReadOnlyList<string> Datasets { get; }

    public IReadOnlyList<string> Methods { get; }

    public IReadOnlyList<string> Metrics { get; }

    /// <summary>The Deedle pivot itself: rows keyed by method, columns by metric, <see cref="SeedStat"/> values,
    /// missing where a method has no value for a metric.</summary>
    public Frame<string, string> Pivot { get; }

    /// <summary>The statistic of a method and metric, or null when missing (no seed has a value).</summary>
    public SeedStat? Get(string method, string metric)
    {
        if (!Pivot.ColumnKeys.Contains(metric) || !Pivot.RowKeys.Contains(method)) return null;
        var cell = Pivot.GetColumn<SeedStat>(metric).TryGet(method);
        return cell.HasValue && cell.Value.Seeds > 0 ? cell.Value : null;
    }

    /// <summary>The per-seed values behind a cell (missing values left out), ordered by seed; empty when missing.</summary>
    public IReadOnlyList<SeedValue> Values(string method, string metric) =>
        values.TryGetValue((method, metric), out var list) ? list : [];
}
