using MedAnomaly.Metrics;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
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
    public void ForegroundRulesRestrictTheReductionAndImageRulesIgnoreIt()
    {
        float[] map = [1f, 5f, 3f, 7f];
        bool[] fg = [true, true, true, false];
        Assert.Equal(3.0, ImageScore.Compute(map, 1, ImageScoring.Mean.InForeground(), fg)[0]);
        Assert.Equal(5.0, ImageScore.Compute(map, 1, ImageScoring.Max.InForeground(), fg)[0]);
        Assert.Equal(4.0, ImageScore.Compute(map, 1, ImageScoring.TopK(2).InForeground(), fg)[0]);
        Assert.Equal(3.0, ImageScore.Compute(map, 1, ImageScoring.TopK(10).InForeground(), fg)[0]);
        Assert.Equal(4.0, ImageScore.Compute(map, 1, ImageScoring.Mean, fg)[0]);
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, 1, ImageScoring.Mean.InForeground()));
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, 3, ImageScoring.Mean));
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, 1, ImageScoring.TopK(0)));
    }

    [Theory]
    [InlineData("mean"), InlineData("max"), InlineData("top100"), InlineData("fg-mean"), InlineData("fg-top5")]
    public void ParseReadsWhatToStringWrites(string name) => Assert.Equal(name, ImageScoring.Parse(name).ToString());

    [Theory]
    [InlineData("median"), InlineData("top0"), InlineData("fg-"), InlineData("top-3")]
    public void ParseRefusesUnknownRules(string name) => Assert.Throws<ArgumentException>(() => ImageScoring.Parse(name));

    [Fact]
    public void TensorMapsAreScoredByTheSameRule()
    {
        using var scope = torch.NewDisposeScope();
        var map = torch.tensor(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 10, 10, 10, 10, 10, 10 }, [2, 1, 2, 4]);
        Assert.Equal(new float[] { 3.5f, 9.75f }, ImageScore.Compute(map, ImageScoring.Mean).ToArray<float>());
        Assert.Equal(new float[] { 7f, 10f }, ImageScore.Compute(map, ImageScoring.Max).ToArray<float>());
        Assert.Equal(new float[] { 6f, 10f }, ImageScore.Compute(map, ImageScoring.TopK(3)).ToArray<float>());
        Assert.Equal(new float[] { 3.5f, 9.75f }, ImageScore.Compute(map, ImageScoring.TopK(100)).ToArray<float>());
        var brain = torch.tensor(new float[] { 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0 }, [2, 1, 2, 4]);
        Assert.Equal(new float[] { 5.5f, 9.5f }, ImageScore.Compute(map, ImageScoring.Mean.InForeground(), brain).ToArray<float>());
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(torch.zeros([2, 2, 2, 2]), ImageScoring.Mean));
        Assert.Throws<ArgumentException>(() => ImageScore.Compute(map, ImageScoring.Mean.InForeground()));
    }
}
