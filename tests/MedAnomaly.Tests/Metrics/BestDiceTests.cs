using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;
using MedAnomaly.Randomness;

namespace MedAnomaly.Tests.Metrics;

public class BestDiceTests
{
    public static TheoryData<string> MedIAnomalyFixtures() => new(MetricsGolden.MedIAnomaly.Select(s => s.Fixture));

    [Theory]
    [MemberData(nameof(MedIAnomalyFixtures))]
    public void MedIAnomalyModeMatchesItsPythonConvention(string fixture)
    {
        var e = MetricsGolden.MedIAnomaly.Single(s => s.Fixture == fixture);
        var (scores, labels) = Get(fixture);
        var r = BestDice.MedIAnomaly(scores, labels);
        Close(e.Dice, r.Dice, "dice");
        Close(e.Threshold, r.Threshold, "threshold");
        Assert.Equal(e.Tried, r.ThresholdsTried);
        Assert.Equal(BestDiceMode.MedIAnomaly, r.Mode);
        Assert.Contains("MedIAnomaly", r.ModeDescription);
    }

    [Fact]
    public void MedIAnomalyModeNeedsAtLeast200Scores()
    {
        var (s, l) = Get("all_equal");
        Assert.Contains("at least 200", Assert.Throws<ArgumentException>(() => BestDice.MedIAnomaly(s, l)).Message);
    }

    [Fact]
    public void DisyreSamplerMatchesThePythonSplitMix64Sampler()
    {
        var (s, l) = Get("large");
        var idx = new List<long>();
        var rng = new SplitMix64(MetricsGolden.DisyreSeed);
        var offsets = MetricsGolden.DisyreOffsets;
        for (int v = 0; v + 1 < offsets.Length; v++)
            idx.AddRange(rng.SampleWithoutReplacement(offsets[v + 1] - offsets[v], 10_000).Select(i => i + offsets[v]));
        Assert.Equal(MetricsGolden.DisyreFirstIndices, idx.Take(8).ToArray());
        Assert.Equal(MetricsGolden.DisyreIndexSum, idx.Sum());
        Assert.Equal(40_000, idx.Distinct().Count());

        var (ss, sl) = BestDice.SampleVolumes(s, l, offsets, 10_000, MetricsGolden.DisyreSeed);
        Assert.Equal(40_000, ss.Length);
        Assert.Equal(MetricsGolden.DisyreSampledPositives, sl.Count(b => b));
        var (ss2, _) = BestDice.SampleVolumes(s, l, offsets, 10_000, MetricsGolden.DisyreSeed);
        Assert.Equal(ss, ss2); // deterministic per seed
        var (ss3, _) = BestDice.SampleVolumes(s, l, offsets, 10_000, MetricsGolden.DisyreSeed + 1);
        Assert.NotEqual(ss, ss3);
    }

    [Fact]
    public void DisyreSweepMatchesPythonOnTheSameSampledPixels()
    {
        var (s, l) = Get("large");
        var r = BestDice.Disyre(s, l, MetricsGolden.DisyreOffsets, 10_000, MetricsGolden.DisyreSeed);
        Close(MetricsGolden.DisyreDice, r.Dice, "dice");
        Close(MetricsGolden.DisyreThreshold, r.Threshold, "threshold");
        Assert.Equal(200, r.ThresholdsTried);

        var (m, ml) = Get("mid");
        var small = BestDice.Disyre(m, ml, MetricsGolden.DisyreSmallOffsets, 1000, 7);
        Close(MetricsGolden.DisyreSmallDice, small.Dice, "small dice");
        Close(MetricsGolden.DisyreSmallThreshold, small.Threshold, "small threshold");
        var (ss, _) = BestDice.SampleVolumes(m, ml, MetricsGolden.DisyreSmallOffsets, 1000, 7);
        Assert.Equal(500 + 1000 + 500, ss.Length); // volumes smaller than k are taken whole
    }

    [Fact]
    public void ExactBestDiceIsAtLeastEveryCompatibilityMode()
    {
        var (s, l) = Get("large");
        double exact = BestDice.Exact(s, l).Dice;
        Assert.True(exact >= BestDice.MedIAnomaly(s, l).Dice);
        // The exact maximum equals the best Dice over every threshold, checked by brute force at each score.
        var (m, ml) = Get("heavy_ties");
        double brute = m.Distinct().Max(t => Dice.AtThreshold(m, ml, t).Dice);
        Close(brute, BestDice.Exact(m, ml).Dice, "brute force");
    }

    [Fact]
    public void ValidationThresholdIsAppliedToTest()
    {
        var (v, vl) = Get("mid");
        var (t, tl) = Get("large");
        var (threshold, counts) = ValidationThreshold.SelectAndApply(v, vl, t, tl);
        var mid = MetricsGolden.Sweeps.Single(s => s.Fixture == "mid");
        Close(mid.BestDiceThreshold, threshold, "threshold");
        var direct = Dice.AtThreshold(t, tl, mid.BestDiceThreshold);
        Assert.Equal(direct, counts);
        Assert.Equal(tl.LongLength, counts.TruePositives + counts.FalsePositives + counts.TrueNegatives + counts.FalseNegatives);
        Assert.True(counts.Dice < BestDice.Exact(t, tl).Dice);
    }
}
