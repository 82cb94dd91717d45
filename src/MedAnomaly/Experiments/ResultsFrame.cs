using Microsoft.Data.Analysis;

namespace MedAnomaly.Experiments;

/// <summary>One measured number of one run: a row of the long results frame.</summary>
/// <param name="Value">Null when the metric was not defined for the run (stored NaN/NULL): missing, not zero.</param>
public sealed record ResultRow(long RunId, string Method, string Dataset, long Seed, string Split, string Metric, double? Value);

/// <summary>The long ("tidy") results frame: one row per run × metric, with the columns below. It is what
/// <see cref="RunStore.ReadResults"/> returns and what <see cref="SeedStatistics"/> reads, so a notebook can filter
/// or join it with <see cref="DataFrame"/>'s own operations in between.</summary>
public static class ResultsFrame
{
    public const string RunId = "run_id", Method = "method", Dataset = "dataset", Seed = "seed",
        Split = "split", Metric = "metric", Value = "value";

    /// <summary>The column names in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = [RunId, Method, Dataset, Seed, Split, Metric, Value];

    /// <summary>The rows of one run's (or one notebook experiment's) metrics, under a row label such as a method name;
    /// NaN becomes missing.</summary>
    public static IEnumerable<ResultRow> RowsOf(string label, IEnumerable<MetricValue> metrics, long seed = 0, string dataset = "", long runId = 0) =>
        metrics.Select(m => new ResultRow(runId, label, dataset, seed, m.Split, m.Name, double.IsNaN(m.Value) ? null : m.Value));

    /// <summary>A row as a comparison table shows it: a metric of split "test[name]" (<see cref="EvaluationSettings.SplitOf"/>)
    /// becomes one of split "test" under the method "method (name)", e.g. "disyre (fg-weight)"; other rows stay as they are.</summary>
    public static ResultRow AsTableRow(ResultRow row) => EvaluationSettings.PostProcessingOf(row.Split) is { } post
        ? row with { Method = $"{row.Method} ({post})", Split = MetricRows.Split } : row;

    /// <summary>Builds the frame: run_id and seed are <c>long</c>, value is <c>double</c> with nulls for missing.</summary>
    public static DataFrame Create(IEnumerable<ResultRow> rows)
    {
        var list = rows.ToList();
        return new DataFrame(
            new Int64DataFrameColumn(RunId, list.Select(r => r.RunId)),
            new StringDataFrameColumn(Method, list.Select(r => r.Method)),
            new StringDataFrameColumn(Dataset, list.Select(r => r.Dataset)),
            new Int64DataFrameColumn(Seed, list.Select(r => r.Seed)),
            new StringDataFrameColumn(Split, list.Select(r => r.Split)),
            new StringDataFrameColumn(Metric, list.Select(r => r.Metric)),
            new DoubleDataFrameColumn(Value, list.Select(r => r.Value)));
    }

    /// <summary>Reads the rows back. Any frame with these column names works (extra columns are ignored; integer and
    /// floating columns of other widths are converted).</summary>
    /// <exception cref="ArgumentException">A column is missing, or a key cell (method, metric, split…) is null.</exception>
    public static IEnumerable<ResultRow> Rows(DataFrame frame)
    {
        var missing = Columns.Where(c => frame.Columns.IndexOf(c) < 0).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"results frame lacks column(s) {string.Join(", ", missing)}; expected the columns {string.Join(", ", Columns)} (as RunStore.ReadResults returns)");
        for (long i = 0; i < frame.Rows.Count; i++)
            yield return ReadRow(frame, i);
    }

    static ResultRow ReadRow(DataFrame frame, long i) => new(
        Convert.ToInt64(Key(frame, RunId, i)),
        Convert.ToString(Key(frame, Method, i))!,
        Convert.ToString(Key(frame, Dataset, i))!,
        Convert.ToInt64(Key(frame, Seed, i)),
        Convert.ToString(Key(frame, Split, i))!,
        Convert.ToString(Key(frame, Metric, i))!,
        frame[Value][i] is { } value ? Convert.ToDouble(value) : null);

    static object Key(DataFrame frame, string column, long row) =>
        frame[column][row] ?? throw new ArgumentException($"results frame has a null {column} in row {row}; only {Value} may be missing");
}
