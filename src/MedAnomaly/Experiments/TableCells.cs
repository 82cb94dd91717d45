using System.Globalization;

namespace MedAnomaly.Experiments;

/// <summary>One formatted cell: the mean and std as fixed-precision invariant-culture text (null when missing) and
/// whether it is its column's best.</summary>
public readonly record struct TableCell(string? Mean, string? Std, int Seeds, bool IsBest)
{
    public bool IsMissing => Mean is null;
}

/// <summary>What every table format shares: the numbers formatted with fixed precision, and the best mean of each
/// column. "Best" compares the rounded means, so every method that shows the best number is marked (ties are all
/// marked), and nothing is marked when fewer than two methods have a value.</summary>
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

    static void MarkBest(TableCell[][] cells, int column, bool lowerIsBetter)
    {
        var present = cells.Where(row => !row[column].IsMissing).Select(row => double.Parse(row[column].Mean!, CultureInfo.InvariantCulture)).ToList();
        if (present.Count < 2) return;
        double best = lowerIsBetter ? present.Min() : present.Max();
        foreach (var row in cells)
            if (!row[column].IsMissing && double.Parse(row[column].Mean!, CultureInfo.InvariantCulture) == best)
                row[column] = row[column] with { IsBest = true };
    }
}
