using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class ImageScoreTests
{
    [Theory]
    [InlineData("mean")]
    [InlineData("max")]
    [InlineData("top5")]
    public void ImageScoresAndMetricsMatchNumpyAndScikitLearn(string name)
    {
        var e = MetricsGolden.Images.Single(i => i.Scoring == name);
        var (maps, masks, _) = Images();
        var scoring = name switch { "mean" => ImageScoring.Mean, "max" => ImageScoring.Max, _ => ImageScoring.TopK(5) };
        var scores = ImageScore.Compute(maps, 24, scoring);
        Close(e.Score0, scores[0], "score 0"); Close(e.Score1, scores[1], "score 1"); Close(e.Score7, scores[7], "score 7");
        var labels = AnomalyMetrics.AnyLesion(masks, 24);
        var r = ThresholdSweep.Run(scores, labels);
        Close(e.Auroc, r.Auroc, "AUROC"); Close(e.Ap, r.AveragePrecision, "AP");
        Close(e.BestF1, r.BestDice, "best F1"); Close(e.BestF1Threshold, r.BestDiceThreshold, "best F1 threshold");
    }

    [Fact]
    public void ForegroundRestrictsTheReduction()
    {
        float[] map = [1f, 5f, 3f, 7f];
        bool[] fg = [true, true, true, false];
        Assert.Equal(3.0, ImageScore.Compute(map, 1, ImageScoring.Mean, fg)[0]);
        Assert.Equal(5.0, ImageScore.Compute(map, 1, ImageScoring.Max, fg)[0]);
        Assert.Equal(4.0, ImageScore.Compute(map, 1, ImageScoring.TopK(2), fg)[0]);
        Assert.Equal(3.0, ImageScore.Compute(map, 1, ImageScoring.TopK(10), fg)[0]);
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, 3, ImageScoring.Mean));
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, 1, ImageScoring.TopK(0)));
    }
}
