using MedAnomaly.Experiments;
using MedAnomaly.Metrics;
using MedAnomaly.Tests.Metrics;

namespace MedAnomaly.Tests.Experiments;

public class MetricRowsTests
{
    static MetricsReport Report(double? threshold)
    {
        var (maps, masks, fg) = MetricsFixtures.Images();
        var input = new MetricsInput
        {
            ImageCount = 24, Height = 8, Width = 8, Maps = maps, Masks = masks, Foreground = fg,
            VolumeIds = Enumerable.Range(0, 24).Select(i => i / 6).ToArray(),
        };
        return AnomalyMetrics.Evaluate(input, new MetricsOptions { Threshold = threshold });
    }

    [Fact]
    public void EveryRegisteredMetricIsARowAndStoredNamesAreKept()
    {
        var rows = MetricRows.From(Report(null)).ToDictionary(r => r.Name);
        // Names stored by runs before the registry.
        foreach (var name in new[] { "pixel_auroc", "pixel_ap", "best_dice", "volume_best_dice", "fpr_at_95_tpr", "image_auroc", "image_ap" })
            Assert.True(rows.ContainsKey(name), name);
        foreach (var m in MetricRegistry.Curve.Where(m => m != MetricRegistry.BestDice && m != MetricRegistry.FprAt95Tpr))
            Assert.True(rows.ContainsKey("pixel_" + m.Name), m.Name);
        foreach (var m in MetricRegistry.Mask) Assert.True(rows.ContainsKey(m.Name), m.Name);
        Assert.DoesNotContain(rows.Keys, k => k.EndsWith("_at_threshold"));
        Assert.All(rows.Values, r => Assert.False(string.IsNullOrEmpty(r.Definition)));
        var golden = Hd95Golden.Evaluate.Single(e => e.Foreground && e.Oracle && e.Volumes && e.Spacing == null);
        MetricsFixtures.Close(golden.Hd95, rows["hd95"].Value, "hd95");
        MetricsFixtures.Close(MetricsGolden.Pixels.Single(p => p.Foreground).Auroc, rows["pixel_auroc"].Value, "pixel_auroc");
    }

    [Fact]
    public void AGivenThresholdAddsItsOwnRows()
    {
        var rows = MetricRows.From(Report(0.9)).ToDictionary(r => r.Name);
        var golden = Hd95Golden.Evaluate.Single(e => e.Foreground && !e.Oracle && e.Volumes && e.Spacing == null);
        MetricsFixtures.Close(golden.Hd95, rows["hd95_at_threshold"].Value, "hd95 at 0.9");
        Assert.Contains("0.9", rows["hd95_at_threshold"].Definition);
    }

    [Fact]
    public void LowerIsBetterNamesTheErrorsAndDistances()
    {
        Assert.Superset(new HashSet<string> { "fpr_at_95_tpr", "image_fpr_at_95_tpr", "fpr", "hd95", "hd95_at_threshold" }, MetricRows.LowerIsBetter.ToHashSet());
        Assert.DoesNotContain("pixel_auroc", MetricRows.LowerIsBetter);
    }
}
