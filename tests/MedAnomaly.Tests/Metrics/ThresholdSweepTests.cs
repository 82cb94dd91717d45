using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;
using MedAnomaly.Randomness;

namespace MedAnomaly.Tests.Metrics;

public class ThresholdSweepTests
{
    public static TheoryData<string> Fixtures() => new(MetricsGolden.Sweeps.Select(s => s.Fixture));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesScikitLearn(string fixture)
    {
        var e = MetricsGolden.Sweeps.Single(s => s.Fixture == fixture);
        var (scores, labels) = Get(fixture);
        var r = ThresholdSweep.Run(scores, labels);
        Close(e.Auroc, r.Auroc, "AUROC");
        Close(e.Ap, r.AveragePrecision, "AP");
        Close(e.BestDice, r.BestDice, "best Dice");
        Close(e.BestDiceThreshold, r.BestDiceThreshold, "best Dice threshold");
        Close(e.Fpr95, r.FprAt95Tpr, "FPR@95");
        Close(e.Threshold95, r.ThresholdAt95Tpr, "threshold@95");
        Assert.Equal(e.DistinctPositive, r.DistinctPositiveScores);
        Close(e.Auroc, Roc.Auroc(scores, labels), "Roc.Auroc");
        Close(e.Ap, Precision.AveragePrecision(scores, labels), "Precision.AveragePrecision");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DoubleScoresGiveTheSameAnswer(string fixture)
    {
        var e = MetricsGolden.Sweeps.Single(s => s.Fixture == fixture);
        var (scores, labels) = Get(fixture);
        var r = ThresholdSweep.Run(scores.Select(s => (double)s).ToArray(), labels);
        Close(e.Auroc, r.Auroc, "AUROC");
        Close(e.Ap, r.AveragePrecision, "AP");
        Close(e.BestDice, r.BestDice, "best Dice");
        Close(e.BestDiceThreshold, r.BestDiceThreshold, "best Dice threshold");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CountsAtAFixedThreshold(string fixture)
    {
        var e = MetricsGolden.Sweeps.Single(s => s.Fixture == fixture);
        var (scores, labels) = Get(fixture);
        var c = Dice.AtThreshold(scores, labels, 0.5);
        Assert.Equal((e.Tp05, e.Fp05, e.Tn05, e.Fn05), (c.TruePositives, c.FalsePositives, c.TrueNegatives, c.FalseNegatives));
    }

    [Fact]
    public void OneClassThrowsOrGivesNaN()
    {
        float[] s = [0.1f, 0.2f, 0.3f];
        var ex = Assert.Throws<OneClassException>(() => ThresholdSweep.Run(s, [false, false, false]));
        Assert.Contains("only negatives", ex.Message);
        Assert.Contains("only positives", Assert.Throws<OneClassException>(() => Roc.Auroc(s, [true, true, true])).Message);
        var r = ThresholdSweep.Run(s, [true, true, true], OneClassPolicy.NaN);
        Assert.True(double.IsNaN(r.Auroc) && double.IsNaN(r.AveragePrecision) && double.IsNaN(r.BestDice));
        Assert.Equal(3, r.Positives);
    }

    [Fact]
    public void NonFiniteScoresAreRejectedWithCountAndIndex()
    {
        float[] s = [0.1f, float.NaN, 0.3f, float.PositiveInfinity, float.NegativeInfinity];
        var ex = Assert.Throws<ArgumentException>(() => ThresholdSweep.Run(s, [true, false, true, false, false]));
        Assert.Contains("3 non-finite", ex.Message);
        Assert.Contains("index 1", ex.Message);
        Assert.Throws<ArgumentException>(() => ThresholdSweep.Run(new double[] { 0.1, double.NaN }, [true, false]));
    }

    [Fact]
    public void LengthMismatchIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => ThresholdSweep.Run(new float[] { 0.1f, 0.2f }, [true]));
        Assert.Contains("2 elements", ex.Message);
    }

    [Theory]
    [InlineData(5000)]          // 3 passes of 11 bits
    [InlineData((1 << 20) + 7)] // 2 passes of 16 bits
    public void RadixSortMatchesArraySort(int n)
    {
        var rng = new SplitMix64((ulong)n);
        var keys = new uint[n];
        for (int i = 0; i < n; i++) keys[i] = (uint)(rng.Next() >> (i % 3 == 0 ? 32 : 40)); // many duplicates too
        var expected = (uint[])keys.Clone();
        Array.Sort(expected);
        RadixSort.Sort(keys, new uint[n]);
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void RadixSortOrdersKeysLikeFloatComparison()
    {
        var rng = new SplitMix64(9);
        var values = new float[5000];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(((long)(rng.Next() >> 40) - (1 << 23)) * Math.Pow(2, (int)(rng.Next() % 60) - 30));
        values[0] = -0f; values[1] = 0f; values[2] = float.MaxValue; values[3] = -float.MaxValue; values[4] = float.Epsilon;
        var keys = values.Select(SortKeys.FromFloat).ToArray();
        RadixSort.Sort(keys, new uint[keys.Length]);
        var sorted = values.Select(v => v == 0 ? 0f : v).OrderBy(v => v).ToArray();
        Assert.Equal(sorted, keys.Select(SortKeys.ToFloat).ToArray());
    }
}
