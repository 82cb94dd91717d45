using MedAnomaly.Randomness;
namespace MedAnomaly.Metrics;

/// <summary>How "best Dice" (⌈Dice⌉, the oracle maximum of Dice over thresholds) is searched.</summary>
public enum BestDiceMode
{
    /// <summary>Exact maximum over every distinct score (predict score ≥ t), one pass over sorted scores.</summary>
    Exact,
    /// <summary>MedIAnomaly (Cai et al. 2024) convention: thresholds = sorted(scores)[0::n // 200] (≈200 quantiles),
    /// predict score &gt; t, first maximum.</summary>
    MedIAnomaly,
    /// <summary>DISYRE (Marimont &amp; Tarroni 2024) convention: 10,000 seeded random pixels per volume, then 200
    /// thresholds linspace(min, max) of the sample, predict score &gt; t, first maximum.</summary>
    Disyre,
}

/// <summary>A best-Dice value, the threshold that reached it and how it was searched.</summary>
public readonly record struct BestDiceResult(double Dice, double Threshold, BestDiceMode Mode, long ThresholdsTried)
{
    /// <summary>Human-readable name of the convention, printed in every report.</summary>
    public string ModeDescription => BestDice.Describe(Mode);
}

/// <summary>Best Dice under the three conventions of <see cref="BestDiceMode"/>.</summary>
public static class BestDice
{
    public const int DefaultThresholdCount = 200, DefaultSamplesPerVolume = 10_000;
    public const ulong DefaultSeed = 0;

    /// <summary>One-line description of a mode, naming the paper it reproduces.</summary>
    public static string Describe(BestDiceMode mode) => mode switch
    {
        BestDiceMode.Exact => "exact (max over all distinct thresholds, score >= t)",
        BestDiceMode.MedIAnomaly => "MedIAnomaly (thresholds at sorted(scores)[::n//200], score > t)",
        BestDiceMode.Disyre => "DISYRE (10000 seeded pixels per volume, 200 linspace(min,max) thresholds, score > t)",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Exact best Dice of scores [n] against labels [n]; see <see cref="ThresholdSweep"/>.</summary>
    public static BestDiceResult Exact(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        var r = ThresholdSweep.Run(scores, labels);
        return new BestDiceResult(r.BestDice, r.BestDiceThreshold, BestDiceMode.Exact, r.DistinctPositiveScores);
    }

    /// <summary>MedIAnomaly's <c>compute_best_dice</c>: step = n // count; thresholds = sort(scores)[0, step, 2·step, …]
    /// (so count to 2·count−1 of them); Dice(score &gt; t) = 2TP / (#predicted + P); the first (lowest) threshold
    /// with the maximum wins. Needs n ≥ count.</summary>
    public static BestDiceResult MedIAnomaly(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, int thresholdCount = DefaultThresholdCount)
    {
        if (thresholdCount < 1) throw new ArgumentException($"thresholdCount must be ≥ 1, got {thresholdCount}", nameof(thresholdCount));
        if (scores.Length < thresholdCount)
            throw new ArgumentException($"MedIAnomaly best Dice needs at least {thresholdCount} scores (step = n // {thresholdCount} must be ≥ 1), got {scores.Length}");
        var (pos, neg) = ThresholdSweep.SortedByClass(scores, labels);
        MetricInputs.CheckBothClasses(pos.Length, neg.Length, OneClassPolicy.Throw);
        long n = scores.Length, step = n / thresholdCount, P = pos.Length;
        double best = double.NegativeInfinity; uint bestKey = 0; long tried = 0;
        // Merge-walk the two ascending arrays; at merged ranks 0, step, 2·step, … the current key is a threshold.
        int i = 0, j = 0;
        for (long rank = 0; rank < n; rank += step)
        {
            while (i + j < rank) { if (j >= neg.Length || (i < pos.Length && pos[i] <= neg[j])) i++; else j++; }
            uint t = j >= neg.Length || (i < pos.Length && pos[i] <= neg[j]) ? pos[i] : neg[j];
            long tpAbove = pos.Length - UpperBound(pos, t), fpAbove = neg.Length - UpperBound(neg, t);
            double dice = (double)(2 * tpAbove) / (tpAbove + fpAbove + P);
            tried++;
            if (dice > best) { best = dice; bestKey = t; }
        }
        return new BestDiceResult(best, SortKeys.ToFloat(bestKey), BestDiceMode.MedIAnomaly, tried);
    }

    /// <summary>DISYRE's sweep on already-sampled pixels [m]: thresholds tᵢ = i·(max − min)/(count − 1) + min
    /// (NumPy's linspace, last one = max), Dice(score &gt; t) = 2TP / (#predicted + P); first maximum.</summary>
    public static BestDiceResult LinspaceSweep(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, int thresholdCount = DefaultThresholdCount)
    {
        if (thresholdCount < 2) throw new ArgumentException($"thresholdCount must be ≥ 2, got {thresholdCount}", nameof(thresholdCount));
        var (pos, neg) = ThresholdSweep.SortedByClass(scores, labels);
        MetricInputs.CheckBothClasses(pos.Length, neg.Length, OneClassPolicy.Throw, "sampled labels");
        double min = SortKeys.ToFloat(Math.Min(pos[0], neg[0])), max = SortKeys.ToFloat(Math.Max(pos[^1], neg[^1]));
        double step = (max - min) / (thresholdCount - 1);
        double best = double.NegativeInfinity, bestThreshold = min;
        for (int k = 0; k < thresholdCount; k++)
        {
            double t = k == thresholdCount - 1 ? max : k * step + min;
            long tpAbove = CountAbove(pos, t), fpAbove = CountAbove(neg, t);
            double dice = (double)(2 * tpAbove) / (tpAbove + fpAbove + pos.Length);
            if (dice > best) { best = dice; bestThreshold = t; }
        }
        return new BestDiceResult(best, bestThreshold, BestDiceMode.Disyre, thresholdCount);
    }

    /// <summary>DISYRE mode end to end: <see cref="SampleVolumes"/> then <see cref="LinspaceSweep"/> on the pooled sample.</summary>
    /// <param name="scores">Pixel scores [n], volumes stored one after another.</param>
    /// <param name="labels">Lesion labels [n].</param>
    /// <param name="volumeOffsets">[V+1] start of each volume in the arrays, last = n.</param>
    public static BestDiceResult Disyre(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<long> volumeOffsets,
                                        int samplesPerVolume = DefaultSamplesPerVolume, ulong seed = DefaultSeed, int thresholdCount = DefaultThresholdCount)
    {
        var (s, l) = SampleVolumes(scores, labels, volumeOffsets, samplesPerVolume, seed);
        return LinspaceSweep(s, l, thresholdCount);
    }

    /// <summary>Draws min(k, size) pixels without replacement from each volume with one <see cref="SplitMix64"/>
    /// stream seeded by <paramref name="seed"/> (volumes in order), and pools them. Deterministic per seed.</summary>
    public static (float[] Scores, bool[] Labels) SampleVolumes(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<long> volumeOffsets,
                                                                 int samplesPerVolume, ulong seed)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        VolumeGroups.CheckOffsets(volumeOffsets, scores.Length);
        var rng = new SplitMix64(seed);
        var sScores = new List<float>(); var sLabels = new List<bool>();
        for (int v = 0; v + 1 < volumeOffsets.Length; v++)
        {
            long start = volumeOffsets[v];
            foreach (long idx in rng.SampleWithoutReplacement(volumeOffsets[v + 1] - start, samplesPerVolume))
            {
                sScores.Add(scores[(int)(start + idx)]);
                sLabels.Add(labels[(int)(start + idx)]);
            }
        }
        return (sScores.ToArray(), sLabels.ToArray());
    }

    /// <summary>Best Dice under <paramref name="mode"/>; <paramref name="volumeOffsets"/> is used by DISYRE only.</summary>
    public static BestDiceResult Compute(BestDiceMode mode, ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, ReadOnlySpan<long> volumeOffsets, ulong seed = DefaultSeed) => mode switch
    {
        BestDiceMode.Exact => Exact(scores, labels),
        BestDiceMode.MedIAnomaly => MedIAnomaly(scores, labels),
        BestDiceMode.Disyre => Disyre(scores, labels, volumeOffsets, seed: seed),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Index of the first key &gt; t in an ascending array.</summary>
    static int UpperBound(uint[] sorted, uint t)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] <= t) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>How many keys hold a score strictly greater than the double t.</summary>
    static long CountAbove(uint[] sorted, double t)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (SortKeys.ToFloat(sorted[mid]) <= t) lo = mid + 1; else hi = mid; }
        return sorted.Length - lo;
    }
}
