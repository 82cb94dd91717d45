using System.Text.Json;
using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class EvaluateTests
{
    static MetricsInput Input(bool foreground)
    {
        var (maps, masks, fg) = Images();
        return new MetricsInput
        {
            ImageCount = 24, Height = 8, Width = 8, Maps = maps, Masks = masks, Foreground = foreground ? fg : null,
            VolumeIds = Enumerable.Range(0, 24).Select(i => i / 6).ToArray(),
        };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PooledAndPerVolumePixelMetricsMatchScikitLearn(bool foreground)
    {
        var e = MetricsGolden.Pixels.Single(p => p.Foreground == foreground);
        var report = AnomalyMetrics.Evaluate(Input(foreground), new MetricsOptions());
        var px = report.Pixel!;
        Close(e.Auroc, px.Pooled.Auroc, "AUROC"); Close(e.Ap, px.Pooled.AveragePrecision, "AP");
        Close(e.BestDice, px.BestDice.Dice, "best Dice"); Close(e.BestDiceThreshold, px.BestDice.Threshold, "threshold");
        Close(e.Fpr95, px.Pooled.FprAt95Tpr, "FPR95");
        Close(e.AurocMean, px.PerVolume.Auroc.Mean, "AUROC mean"); Close(e.AurocStd, px.PerVolume.Auroc.Std, "AUROC std");
        Close(e.ApMean, px.PerVolume.AveragePrecision.Mean, "AP mean"); Close(e.ApStd, px.PerVolume.AveragePrecision.Std, "AP std");
        Close(e.DiceMean, px.PerVolume.BestDice.Mean, "Dice mean"); Close(e.DiceStd, px.PerVolume.BestDice.Std, "Dice std");
        Assert.Equal(4, px.PerVolume.Volumes);
        // At the oracle threshold the Dice equals the best Dice.
        Close(e.BestDice, px.AtThreshold.Dice, "Dice at best threshold");
        var mean = MetricsGolden.Images.Single(i => i.Scoring == "mean");
        if (!foreground) Close(mean.Auroc, report.Image!.Sweep.Auroc, "image AUROC");
    }

    [Fact]
    public void EachImageIsItsOwnVolumeByDefaultAndLesionFreeVolumesAreSkipped()
    {
        var input = Input(false) with { VolumeIds = null };
        var pv = AnomalyMetrics.Evaluate(input, new MetricsOptions()).Pixel!.PerVolume;
        Assert.Equal(24, pv.Volumes);
        Assert.Equal(12, pv.Skipped); // odd images have no lesion
    }

    [Fact]
    public void ReportNamesTheModeAndPostProcessingInTextAndJson()
    {
        var options = new MetricsOptions { BestDiceMode = BestDiceMode.Disyre, Post = new MapPostProcessing { MedianFilter = 3, MinComponentSize = 3 }, Threshold = 0.9, Seed = 1 };
        var report = AnomalyMetrics.Evaluate(Input(true), options);
        string text = report.ToText();
        Assert.Contains("DISYRE", text);
        Assert.Contains("median filter 3x3", text);
        using var doc = JsonDocument.Parse(report.ToJson());
        var pixel = doc.RootElement.GetProperty("pixel");
        Assert.Contains("DISYRE", pixel.GetProperty("best_dice_mode").GetString());
        Assert.Equal(0.9, pixel.GetProperty("at_threshold").GetProperty("threshold").GetDouble());
        Assert.Contains("components", doc.RootElement.GetProperty("post_processing").GetString());
        // The median filter changed the maps the metrics saw.
        var plain = AnomalyMetrics.Evaluate(Input(true), new MetricsOptions());
        Assert.NotEqual(plain.Pixel!.Pooled.Auroc, report.Pixel!.Pooled.Auroc);
    }

    [Fact]
    public void ShapeMismatchesAreClearErrors()
    {
        var input = Input(false);
        var ex = Assert.Throws<ArgumentException>(() => AnomalyMetrics.Evaluate(input with { Masks = new bool[10] }, new MetricsOptions()));
        Assert.Contains("masks", ex.Message);
        Assert.Throws<ArgumentException>(() => AnomalyMetrics.Evaluate(input with { VolumeIds = [1, 2] }, new MetricsOptions()));
        Assert.Throws<ArgumentException>(() => AnomalyMetrics.Evaluate(input with { ImageLabels = [true] }, new MetricsOptions()));
    }

    [Fact]
    public void OneClassLabelsGiveNaNOrAnErrorAsThePolicySays()
    {
        var input = Input(false) with { Masks = new bool[24 * 8 * 8] };   // no lesion pixel anywhere
        var defaults = Assert.Throws<OneClassException>(() => AnomalyMetrics.Evaluate(input with { ImageLabels = Enumerable.Range(0, 24).Select(i => i % 2 == 0).ToArray() }, new MetricsOptions()));
        Assert.Equal(("lesion masks", 0L, 24L * 64), (defaults.What, defaults.Positives, defaults.Negatives));
        Assert.Equal("lesion masks contain only negatives (0 positive, 1536 negative); AUROC, AP and best Dice need both classes", defaults.Problem);

        var strict = new MetricsOptions { ImageOneClass = OneClassPolicy.Throw, PixelOneClass = OneClassPolicy.Throw };
        Assert.Equal("image labels", Assert.Throws<OneClassException>(() => AnomalyMetrics.Evaluate(input, strict)).What);

        var lenient = new MetricsOptions { ImageOneClass = OneClassPolicy.NaN, PixelOneClass = OneClassPolicy.NaN, BestDiceMode = BestDiceMode.MedIAnomaly };
        var report = AnomalyMetrics.Evaluate(input, lenient);
        Assert.True(double.IsNaN(report.Image!.Sweep.Auroc));
        Assert.True(double.IsNaN(report.Pixel!.Pooled.Auroc));
        Assert.True(double.IsNaN(report.Pixel.BestDice.Dice));
    }
}
