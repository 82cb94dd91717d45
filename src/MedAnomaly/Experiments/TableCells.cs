using System.Globalization;

namespace MedAnomaly.Experiments;

/// <summary>One formatted cell: the mean and std as fixed-precision invariant-culture text (null when missing), whether
/// it is its column's best, and whether it is tied with the best within the spread over seeds.</summary>
public readonly record struct TableCell(string? Mean, string? Std, int Seeds, bool IsBest, bool TiedWithBest = false)
{
    public bool IsMissing => Mean is null;

    /// <summary>Shown in bold: the best, or not distinguishable from it at this number of seeds.</summary>
    public bool IsLeading => IsBest || TiedWithBest;
}

/// <summary>What every table format shares: the numbers formatted with fixed precision, the best mean of each column,
/// and the ties. "Best" compares the rounded means, so every method that shows the best number is marked, and nothing is
/// marked when fewer than two methods have a value. A mean is tied with the best when the intervals mean ± std (sample
/// std over seeds) of the two overlap: at two or three seeds that difference is within the run-to-run spread, so no
/// ranking should rest on it. With one seed there is no spread and no tie.</summary>
public static class TableCells
{
    /// <summary>Cells[method index][metric index], in the summary's order.</summary>
    public static TableCell[][] Build(SeedSummary summary, TableOptions options)
    {
        if (options.Decimals is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(options), options.Decimals, "TableOptions.Decimals must be in 0..15");
        var cells = summary.Methods.Select(method => summary.Metrics.Select(metric => Format(summary.Get(method, metric), options.Decimals)).ToArray()).ToArray();
        if (options.MarkBest)
            for (int column = 0; column < summary.Metrics.Count; column++)
                MarkBest(cells, column, options.LowerIsBetter.Contains(summary.Metrics[column]));
        return cells;
    }

    /// <summary>Fixed precision, invariant culture ("0.800", never "0,8"); a std that is NaN (one seed) is null.</summary>
    public static string Number(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    static TableCell Format(SeedStat? stat, int decimals) => stat is { } s
        ? new TableCell(Number(s.Mean, decimals), double.IsNaN(s.Std) ? null : Number(s.Std, decimals), s.Seeds, false)
        : new TableCell(null, null, 0, false);

    static double Value(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    static void MarkBest(TableCell[][] cells, int column, bool lowerIsBetter)
    {
        var present = cells.Where(row => !row[column].IsMissing).Select(row => Value(row[column].Mean!)).ToList();
        if (present.Count < 2) return;
        double best = lowerIsBetter ? present.Min() : present.Max();
        foreach (var row in cells)
            if (!row[column].IsMissing && Value(row[column].Mean!) == best)
                row[column] = row[column] with { IsBest = true };
        foreach (var leader in cells.Where(row => row[column].IsBest && row[column].Std is not null).Select(row => row[column]).ToList())
            foreach (var row in cells)
                if (!row[column].IsMissing && !row[column].IsBest && Overlap(row[column], leader))
                    row[column] = row[column] with { TiedWithBest = true };
    }

    /// <summary>Whether mean ± std of two cells overlap (false when either has no std).</summary>
    static bool Overlap(TableCell a, TableCell b)
    {
        if (a.Std is null || b.Std is null) return false;
        double gap = Math.Abs(Value(a.Mean!) - Value(b.Mean!));
        return gap <= Value(a.Std) + Value(b.Std);
    }
}
