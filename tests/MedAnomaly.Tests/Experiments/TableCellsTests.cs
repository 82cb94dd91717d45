using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class TableCellsTests
{
    static SeedSummary Summary(params (string Method, string Metric, double Value)[] cells) => SeedStatistics.Summarize(
        ResultsFrame.Create(cells.Select((c, i) => new ResultRow(i + 1, c.Method, "phantom", 0, "test", c.Metric, c.Value))));

    [Fact]
    public void MarksEveryMethodThatShowsTheBestRoundedMean()
    {
        var summary = Summary(("a", "auroc", 0.8904), ("b", "auroc", 0.8896), ("c", "auroc", 0.7));
        var cells = TableCells.Build(summary, TableOptions.Default);
        Assert.Equal([true, true, false], cells.Select(row => row[0].IsBest));   // both print 0.890
        Assert.Equal("0.890", cells[1][0].Mean);
    }

    [Fact]
    public void LowerIsBetterMarksTheSmallest()
    {
        var summary = Summary(("a", "seconds", 3.0), ("b", "seconds", 1.5), ("a", "auroc", 0.6), ("b", "auroc", 0.9));
        var cells = TableCells.Build(summary, new TableOptions { LowerIsBetter = new HashSet<string> { "seconds" } });
        Assert.Equal([false, true], cells.Select(row => row[0].IsBest));
        Assert.Equal([false, true], cells.Select(row => row[1].IsBest));
    }

    [Fact]
    public void MarksNothingWithOneValueOrWhenAskedNotTo()
    {
        var summary = Summary(("a", "auroc", 0.8), ("b", "ap", 0.4));
        Assert.All(TableCells.Build(summary, TableOptions.Default).SelectMany(row => row), cell => Assert.False(cell.IsBest));
        var two = Summary(("a", "auroc", 0.8), ("b", "auroc", 0.9));
        Assert.All(TableCells.Build(two, new TableOptions { MarkBest = false }).SelectMany(row => row), cell => Assert.False(cell.IsBest));
    }

    [Fact]
    public void FormatsWithFixedPrecision()
    {
        Assert.Equal("0.100", TableCells.Number(0.1, 3));
        Assert.Equal("12.35", TableCells.Number(12.3456, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => TableCells.Build(Summary(("a", "m", 1.0)), new TableOptions { Decimals = -1 }));
    }
}
