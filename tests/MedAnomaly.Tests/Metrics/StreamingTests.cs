using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class StreamingTests
{
    public static TheoryData<string, int> Cases()
    {
        var d = new TheoryData<string, int>();
        foreach (var s in MetricsGolden.Streaming) d.Add(s.Fixture, s.Bits);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EstimatesEqualExactMetricsOfBinnedScoresAndBoundsHoldTheExactValue(string fixture, int bits)
    {
        var e = MetricsGolden.Streaming.Single(s => s.Fixture == fixture && s.Bits == bits);
        var (scores, labels) = Get(fixture);
        var stream = new StreamingMetrics(bits);
        for (int start = 0; start < scores.Length; start += 777) // uneven batches
        {
            int len = Math.Min(777, scores.Length - start);
            stream.Add(scores.AsSpan(start, len), labels.AsSpan(start, len));
        }
        var r = stream.Result();
        Close(e.Auroc, r.Auroc.Estimate, "AUROC"); Close(e.Ap, r.AveragePrecision.Estimate, "AP");
        Close(e.BestDice, r.BestDice.Estimate, "best Dice"); Close(e.Fpr95, r.FprAt95Tpr.Estimate, "FPR95");

        var exact = ThresholdSweep.Run(scores, labels);
        Inside(exact.Auroc, r.Auroc); Inside(exact.AveragePrecision, r.AveragePrecision);
        Inside(exact.BestDice, r.BestDice); Inside(exact.FprAt95Tpr, r.FprAt95Tpr);
        Assert.Equal(scores.Length, r.Positives + r.Negatives);
        Assert.Contains($"{bits} bits", r.ToText());
        Assert.Contains("exact value in [", r.ToText());
    }

    [Fact]
    public void FinerBinsGiveTighterBounds()
    {
        var (scores, labels) = Get("large");
        double Width(int bits) { var s = new StreamingMetrics(bits); s.Add(scores, labels); return s.Result().AveragePrecision.MaxError; }
        Assert.True(Width(20) < Width(16) && Width(16) < Width(12));
        Assert.True(Width(20) < 1e-3);
    }

    [Fact]
    public void RejectsBadInput()
    {
        var s = new StreamingMetrics(12);
        Assert.Throws<ArgumentException>(() => s.Add([float.NaN], [true]));
        Assert.Throws<ArgumentException>(() => s.Add([1f, 2f], [true]));
        s.Add([1f, 2f], [false, false]);
        Assert.Throws<OneClassException>(() => s.Result());
        Assert.True(double.IsNaN(s.Result(OneClassPolicy.NaN).Auroc.Estimate));
        Assert.Throws<ArgumentException>(() => new StreamingMetrics(30));
    }

    static void Inside(double exact, BoundedValue b)
    {
        double slack = 1e-12 * Math.Abs(exact);
        Assert.True(exact >= b.Low - slack && exact <= b.High + slack, $"{exact:R} not in [{b.Low:R}, {b.High:R}]");
    }
}
