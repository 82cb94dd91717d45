using MedAnomaly.Experiments;
using Microsoft.Data.Analysis;

namespace MedAnomaly.Tests.Experiments;

public class ResultsFrameTests
{
    [Fact]
    public void RoundTripsRowsWithMissingValues()
    {
        var rows = SampleResults.Rows();
        var frame = ResultsFrame.Create(rows);
        Assert.Equal(ResultsFrame.Columns, frame.Columns.Select(c => c.Name));
        Assert.IsType<Int64DataFrameColumn>(frame[ResultsFrame.Seed]);
        Assert.IsType<DoubleDataFrameColumn>(frame[ResultsFrame.Value]);
        Assert.Equal(1, frame[ResultsFrame.Value].NullCount);
        Assert.Equal(rows, ResultsFrame.Rows(frame));
    }

    [Fact]
    public void ReadsOtherNumericWidths()
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("run_id", [7]), new StringDataFrameColumn("method", ["ae"]), new StringDataFrameColumn("dataset", ["d"]),
            new Int32DataFrameColumn("seed", [3]), new StringDataFrameColumn("split", ["test"]), new StringDataFrameColumn("metric", ["m"]),
            new SingleDataFrameColumn("value", [0.5f]), new StringDataFrameColumn("note", ["extra columns are ignored"]));
        Assert.Equal(new ResultRow(7, "ae", "d", 3, "test", "m", 0.5), Assert.Single(ResultsFrame.Rows(frame)));
    }

    [Fact]
    public void NamesANullKey()
    {
        var frame = ResultsFrame.Create(SampleResults.Rows());
        frame["method"][2] = null;
        var error = Assert.Throws<ArgumentException>(() => ResultsFrame.Rows(frame).ToList());
        Assert.Contains("null method in row 2", error.Message);
    }

    [Fact]
    public void A_post_processing_split_becomes_a_method_row_of_its_own()
    {
        Assert.Equal(new ResultRow(7, "disyre (fg-weight)", "phantom", 2, "test", "pixel_ap", 0.6),
            ResultsFrame.AsTableRow(new ResultRow(7, "disyre", "phantom", 2, "test[fg-weight]", "pixel_ap", 0.6)));
        foreach (var split in new[] { "test", "val" })
        {
            var row = new ResultRow(7, "disyre", "phantom", 2, split, "pixel_ap", 0.4);
            Assert.Equal(row, ResultsFrame.AsTableRow(row));
        }
    }
}
