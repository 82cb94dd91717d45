using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class ComparisonTableTests
{
    [Fact]
    public void The_table_keeps_the_test_split_and_the_table_metrics_methods_in_order_of_appearance()
    {
        var metrics = new MetricValue[]
        {
            new("test", "pixel_auroc", 0.9), new("test", "fpr_at_95_tpr", 0.3), new("test[fg-weight]", "pixel_auroc", 0.95), new("val", "pixel_auroc", 0.1),
        };
        var rows = ResultsFrame.RowsOf("disyre", metrics, seed: 0).Concat(ResultsFrame.RowsOf("disyre", metrics.Select(m => m with { Value = m.Value - 0.1 }), seed: 1))
            .Concat(ResultsFrame.RowsOf("chance", [new("test", "image_ap", 0.2), new("test", "pixel_auroc", 0.5)]));
        var table = Comparison.Table(rows);
        Assert.Equal(["disyre", "disyre (fg-weight)", "chance"], table.Methods);
        Assert.Equal(["pixel_auroc", "image_ap"], table.Metrics);   // Comparison.TableMetrics' order, not the rows'
        Assert.Equal(0.2, table.Get("chance", "image_ap")!.Value.Mean);
        Assert.Equal(0.85, table.Get("disyre", "pixel_auroc")!.Value.Mean, 12);             // seeds 0.9 and 0.8
        Assert.Equal(0.90, table.Get("disyre (fg-weight)", "pixel_auroc")!.Value.Mean, 12);  // seeds 0.95 and 0.85
        Assert.Equal(2, table.Get("disyre", "pixel_auroc")!.Value.Seeds);
    }
}
