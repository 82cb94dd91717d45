using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class SeedStatisticsTests
{
    [Fact]
    public void MeanAndSampleStdMatchPython()
    {
        var summary = SampleResults.Summary();
        var ae = summary.Get("ae", "pixel_auroc")!.Value;
        Assert.Equal(SampleResults.AeAurocMean, ae.Mean, 12);
        Assert.Equal(SampleResults.AeAurocStd, ae.Std, 12);   // population std would be 0.01633
        Assert.Equal(3, ae.Seeds);
        Assert.Equal(SampleResults.AeApStd, summary.Get("ae", "pixel_ap")!.Value.Std, 12);
        var vae = summary.Get("vae", "pixel_auroc")!.Value;
        Assert.Equal(SampleResults.VaeAurocMean, vae.Mean, 12);
        Assert.Equal(SampleResults.VaeAurocStd, vae.Std, 12);
    }

    [Fact]
    public void MissingValuesStayMissing()
    {
        var summary = SampleResults.Summary();
        Assert.Null(summary.Get("ddpm", "pixel_ap"));                 // never measured: missing, not 0
        var vaeAp = summary.Get("vae", "pixel_ap")!.Value;            // one seed NaN: skipped, n counts the other
        Assert.Equal(0.30, vaeAp.Mean, 12);
        Assert.Equal(1, vaeAp.Seeds);
        Assert.True(double.IsNaN(vaeAp.Std));
        Assert.True(double.IsNaN(summary.Get("ddpm", "pixel_auroc")!.Value.Std));
        Assert.Null(summary.Get("unknown-method", "pixel_auroc"));
        Assert.False(summary.Pivot.GetColumn<SeedStat>("pixel_ap").TryGet("ddpm").HasValue); // missing in Deedle too
    }

    [Fact]
    public void KeepsFirstAppearanceOrderAndPerSeedValues()
    {
        var summary = SampleResults.Summary();
        Assert.Equal(["ae", "vae", "ddpm"], summary.Methods);
        Assert.Equal(["pixel_auroc", "pixel_ap"], summary.Metrics);
        Assert.Equal(["phantom"], summary.Datasets);
        Assert.Equal([0.91, 0.87, 0.89], summary.Values("ae", "pixel_auroc").Select(v => v.Value));
        Assert.Equal([4L], summary.Values("vae", "pixel_ap").Select(v => v.RunId)); // the NaN seed left out
        Assert.Empty(summary.Values("ddpm", "pixel_ap"));
    }

    [Fact]
    public void SelectsSplitAndDataset()
    {
        var rows = SampleResults.Rows("phantom").Concat(SampleResults.Rows("brats21").Select(r => r with { RunId = r.RunId + 100, Value = 0.5 }))
            .Concat(SampleResults.Rows("phantom", "val").Select(r => r with { RunId = r.RunId + 200, Value = 0.1 })).ToList();
        var frame = ResultsFrame.Create(rows);
        var error = Assert.Throws<ArgumentException>(() => SeedStatistics.Summarize(frame));
        Assert.Contains("2 datasets (phantom, brats21)", error.Message);
        Assert.Equal(0.5, SeedStatistics.Summarize(frame, dataset: "brats21").Get("ae", "pixel_auroc")!.Value.Mean, 12);
        Assert.Equal(0.1, SeedStatistics.Summarize(frame, "val").Get("ae", "pixel_auroc")!.Value.Mean, 12);
        Assert.Equal(6, SeedStatistics.Summarize(frame, dataset: SeedStatistics.AllDatasets).Get("ae", "pixel_auroc")!.Value.Seeds);
        Assert.Contains("splits present: test, val", Assert.Throws<ArgumentException>(() => SeedStatistics.Summarize(frame, "train")).Message);
        Assert.Contains("dataset 'atlas'", Assert.Throws<ArgumentException>(() => SeedStatistics.Summarize(frame, dataset: "atlas")).Message);
    }

    [Fact]
    public void RefusesTwoRunsOfOneSeed()
    {
        var rows = SampleResults.Rows();
        rows.Add(new ResultRow(9, "ae", "phantom", 1, "test", "pixel_auroc", 0.5));
        var error = Assert.Throws<ArgumentException>(() => SeedStatistics.Summarize(ResultsFrame.Create(rows)));
        Assert.Contains("runs 2, 9", error.Message);
    }

    [Fact]
    public void NamesAMissingColumn()
    {
        var frame = SampleResults.Frame();
        frame.Columns.Remove("seed");
        var error = Assert.Throws<ArgumentException>(() => SeedStatistics.Summarize(frame));
        Assert.Contains("lacks column(s) seed", error.Message);
    }
}
