using Deedle;
using Microsoft.Data.Analysis;

namespace MedAnomaly.Experiments;

/// <summary>Summarises results across seeds: for each method and metric the mean and the sample standard deviation
/// (ddof = 1, the unbiased variance's square root, as numpy's <c>std(ddof=1)</c> and pandas' default), computed with
/// Deedle's <c>PivotTable</c> and <c>Stats</c>. Missing values (NaN/null) are skipped: a cell's n counts only seeds
/// with a value, and a cell with none stays missing.</summary>
public static class SeedStatistics
{
    /// <summary>The method × metric table of one dataset and split from the long results frame
    /// (<see cref="RunStore.ReadResults"/>).</summary>
    /// <param name="dataset">Which dataset; may be omitted when the results hold only one. Pass
    /// <see cref="AllDatasets"/> to pool them on purpose.</param>
    /// <exception cref="ArgumentException">No rows for the split/dataset; several datasets and none chosen; or the
    /// same method, seed and metric measured by more than one run (averaging those would weight that seed twice).</exception>
    public static SeedSummary Summarize(DataFrame results, string split = "test", string? dataset = null)
    {
        var rows = Select(ResultsFrame.Rows(results).ToList(), split, dataset);
        RequireOneRunPerSeed(rows);
        var records = rows.Select(r => new SeedRecord(r.Method, r.Metric, r.Seed, r.Value ?? double.NaN));
        var frame = Frame.FromRecords(records);
        var pivot = frame.PivotTable<int, string, string, string, SeedStat>(
            nameof(SeedRecord.Method), nameof(SeedRecord.Metric), bucket => Stat(bucket.GetColumn<double>(nameof(SeedRecord.Value))));
        return new SeedSummary(split, Distinct(rows, r => r.Dataset), Distinct(rows, r => r.Method), Distinct(rows, r => r.Metric),
            pivot, PerSeedValues(rows));
    }

    /// <summary>Pass as <c>dataset</c> to pool every dataset into one table.</summary>
    public const string AllDatasets = "*";

    /// <summary>Deedle's <c>Stats.stdDev</c> is the sample standard deviation (n − 1) and skips missing values;
    /// it gives NaN for fewer than two values, which is what a single seed should show.</summary>
    static SeedStat Stat(Series<int, double> values)
    {
        int n = values.ValueCount; // Deedle counts present values only: NaN became "missing" in FromRecords
        return n == 0 ? new SeedStat(double.NaN, double.NaN, 0) : new SeedStat(Stats.mean(values), n < 2 ? double.NaN : Stats.stdDev(values), n);
    }

    static List<ResultRow> Select(List<ResultRow> all, string split, string? dataset)
    {
        var rows = all.Where(r => r.Split == split).ToList();
        if (rows.Count == 0)
            throw new ArgumentException($"results have no rows for split '{split}'; splits present: {Names(all.Select(r => r.Split))}");
        var datasets = Distinct(rows, r => r.Dataset);
        if (dataset is null && datasets.Count > 1)
            throw new ArgumentException($"results hold {datasets.Count} datasets ({string.Join(", ", datasets)}); pass dataset: one of them, or SeedStatistics.AllDatasets to pool them");
        if (dataset is null or AllDatasets) return rows;
        rows = rows.Where(r => r.Dataset == dataset).ToList();
        return rows.Count > 0 ? rows
            : throw new ArgumentException($"results have no rows for dataset '{dataset}' on split '{split}'; datasets present: {string.Join(", ", datasets)}");
    }

    static void RequireOneRunPerSeed(List<ResultRow> rows)
    {
        var clash = rows.GroupBy(r => (r.Dataset, r.Method, r.Seed, r.Metric)).FirstOrDefault(g => g.Count() > 1);
        if (clash is null) return;
        var (data, method, seed, metric) = clash.Key;
        throw new ArgumentException(
            $"runs {string.Join(", ", clash.Select(r => r.RunId))} all measured {method} on {data} with seed {seed} ({metric}); " +
            "keep one run per seed (filter the results frame by run_id) before summarising");
    }

    static Dictionary<(string, string), IReadOnlyList<SeedValue>> PerSeedValues(List<ResultRow> rows) =>
        rows.Where(r => r.Value is { } v && !double.IsNaN(v))
            .GroupBy(r => (r.Method, r.Metric))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<SeedValue>)g.OrderBy(r => r.Seed).Select(r => new SeedValue(r.Seed, r.RunId, r.Value!.Value)).ToList());

    static List<string> Distinct(List<ResultRow> rows, Func<ResultRow, string> key) => rows.Select(key).Distinct().ToList();

    static string Names(IEnumerable<string> names) => names.Distinct().ToList() is { Count: > 0 } list ? string.Join(", ", list) : "none";

    /// <summary>The shape Deedle's <c>Frame.FromRecords</c> turns into columns (one per public property).</summary>
    sealed record SeedRecord(string Method, string Metric, long Seed, double Value);
}
