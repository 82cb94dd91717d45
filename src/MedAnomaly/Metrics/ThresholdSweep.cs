using System.Runtime.CompilerServices;
using System.Numerics;

namespace MedAnomaly.Metrics;

/// <summary>Everything one pass over the sorted scores yields. Thresholds are the distinct scores; a pixel/image
/// is predicted positive when its score ≥ the threshold (scikit-learn's <c>roc_curve</c> convention, tied scores
/// move together). NaN fields mean "undefined" (one class only, under <see cref="OneClassPolicy.NaN"/>).</summary>
/// <param name="Positives">P, number of positive labels.</param>
/// <param name="Negatives">N, number of negative labels.</param>
/// <param name="DistinctPositiveScores">Number of distinct scores among positives: the thresholds where TP changes,
/// i.e. the candidates for best Dice and FPR@95%TPR.</param>
/// <param name="Auroc">Trapezoidal area under (FPR, TPR) over all distinct thresholds (= sklearn <c>roc_auc_score</c>).</param>
/// <param name="AveragePrecision">Σₙ (Rₙ − Rₙ₋₁)·Pₙ, step-wise, no interpolation (= sklearn <c>average_precision_score</c>).</param>
/// <param name="BestDice">max over thresholds of 2TP/(2TP+FP+FN) (also the best F1); 0 predicted-positive → Dice 0.</param>
/// <param name="BestDiceThreshold">The highest threshold reaching <see cref="BestDice"/> (predict score ≥ it).</param>
/// <param name="FprAt95Tpr">FPR at the highest threshold whose TPR ≥ 0.95.</param>
/// <param name="ThresholdAt95Tpr">That threshold.</param>
public readonly record struct SweepResult(long Positives, long Negatives, long DistinctPositiveScores, double Auroc, double AveragePrecision,
                                          double BestDice, double BestDiceThreshold, double FprAt95Tpr, double ThresholdAt95Tpr)
{
    /// <summary>Result with every metric NaN (used when only one class is present and the caller asked for NaN).</summary>
    public static SweepResult Undefined(long positives, long negatives) =>
        new(positives, negatives, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
}

/// <summary>The shared exact computation behind AUROC, AP, best Dice/F1 and FPR@95%TPR: split scores by label,
/// sort each class (radix sort on order-preserving float keys), then walk both from the top, one step per distinct
/// positive score (runs of negatives in between are skipped by galloping search, since TP is constant there),
/// accumulating TP/FP in integers. Cost: O(n) sort + one pass; extra memory: 4 bytes per score + a scratch buffer
/// the size of the larger class.</summary>
public static class ThresholdSweep
{
    /// <summary>Exact metrics of float scores [n] against labels [n] (true = anomalous / lesion).</summary>
    /// <remarks>The key buffer (4 bytes per score + scratch for the larger class, 8 bytes per score at most) is kept
    /// per thread behind a weak reference and reused by the next call, so repeated calls do not fault in fresh memory;
    /// the GC may reclaim it at any time.</remarks>
    public static SweepResult Run(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        int P = (int)MetricInputs.CountTrue(labels), N = scores.Length - P;
        if (!MetricInputs.CheckBothClasses(P, N, policy)) { MetricInputs.CheckFinite(scores); return SweepResult.Undefined(P, N); }
        var buffer = KeyBuffer(checked(P + N + Math.Max(P, N))).AsSpan();
        Span<uint> pos = buffer[..P], neg = buffer.Slice(P, N), scratch = buffer[(P + N)..];
        SplitAndSort(scores, labels, pos, neg, scratch);
        return FromSorted<uint>(pos, neg, key => SortKeys.ToFloat(key));
    }

    [ThreadStatic] static WeakReference<uint[]>? t_keyBuffer;

    /// <summary>A buffer of at least <paramref name="length"/> keys, reused across calls on this thread while the GC keeps it.</summary>
    static uint[] KeyBuffer(int length)
    {
        if (t_keyBuffer != null && t_keyBuffer.TryGetTarget(out var cached) && cached.Length >= length) return cached;
        var fresh = GC.AllocateUninitializedArray<uint>(length);
        if (t_keyBuffer == null) t_keyBuffer = new WeakReference<uint[]>(fresh); else t_keyBuffer.SetTarget(fresh);
        return fresh;
    }

    /// <summary>Exact metrics of double scores [n] (e.g. image scores) against labels [n].</summary>
    public static SweepResult Run(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        MetricInputs.CheckFinite(scores);
        long positives = MetricInputs.CountTrue(labels);
        var pos = new ulong[positives];
        var neg = new ulong[scores.Length - positives];
        int p = 0, q = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i]) pos[p++] = SortKeys.FromDouble(scores[i]);
            else neg[q++] = SortKeys.FromDouble(scores[i]);
        }
        if (!MetricInputs.CheckBothClasses(pos.Length, neg.Length, policy)) return SweepResult.Undefined(pos.Length, neg.Length);
        Array.Sort(pos);
        Array.Sort(neg);
        return FromSorted<ulong>(pos, neg, SortKeys.ToDouble);
    }

    /// <summary>Splits float scores by label into two ascending arrays of sort keys (see <see cref="SortKeys"/>).
    /// Checks lengths and finiteness on the way.</summary>
    public static (uint[] Positive, uint[] Negative) SortedByClass(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        int positives = (int)MetricInputs.CountTrue(labels);
        var pos = GC.AllocateUninitializedArray<uint>(positives);
        var neg = GC.AllocateUninitializedArray<uint>(scores.Length - positives);
        SplitAndSort(scores, labels, pos, neg, GC.AllocateUninitializedArray<uint>(Math.Max(pos.Length, neg.Length)));
        return (pos, neg);
    }

    /// <summary>Writes the keys of positive scores to <paramref name="pos"/> [P] and of negative ones to
    /// <paramref name="neg"/> [N] (sizes must match the label counts), then radix-sorts both ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    static void SplitAndSort(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, Span<uint> pos, Span<uint> neg, Span<uint> scratch)
    {
        uint min = uint.MaxValue, max = 0;
        int p = 0, q = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            uint key = SortKeys.FromFloat(scores[i]);
            min = Math.Min(min, key);
            max = Math.Max(max, key);
            if (labels[i]) pos[p++] = key; else neg[q++] = key;
        }
        if (scores.Length > 0 && (min < SortKeys.MinFiniteFloatKey || max > SortKeys.MaxFiniteFloatKey))
            MetricInputs.CheckFinite(scores); // throws with the count and first index
        RadixSort.Sort(pos, scratch);
        RadixSort.Sort(neg, scratch);
    }

    /// <summary>The single pass over ascending keys of positives [P] and negatives [N], both non-empty,
    /// walked from the highest score down. <paramref name="toScore"/> turns a key back into its score.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    public static SweepResult FromSorted<TKey>(ReadOnlySpan<TKey> pos, ReadOnlySpan<TKey> neg, Func<TKey, double> toScore)
        where TKey : struct, IComparisonOperators<TKey, TKey, bool>
    {
        var sweep = new SweepAccumulator(pos.Length, neg.Length);
        int i = pos.Length - 1, j = neg.Length - 1;
        while (i >= 0)
        {
            TKey t = pos[i];
            if (j >= 0 && neg[j] > t)
            {
                // Negatives above the next positive: TP is constant, so only FP and the ROC area move.
                int lo = FirstAbove(neg, j, t);
                sweep.NegativesOnly(j + 1 - lo);
                j = lo - 1;
            }
            long tpAdd = 0, fpAdd = 0;
            while (i >= 0 && pos[i] == t) { tpAdd++; i--; }
            while (j >= 0 && neg[j] == t) { fpAdd++; j--; }
            sweep.Threshold(toScore(t), tpAdd, fpAdd);
        }
        return sweep.Finish();
    }

    /// <summary>Smallest index lo ≤ j with sorted[lo..j] all &gt; t (given sorted[j] &gt; t), by galloping down from j
    /// then binary search: O(log gap).</summary>
    static int FirstAbove<TKey>(ReadOnlySpan<TKey> sorted, int j, TKey t) where TKey : struct, IComparisonOperators<TKey, TKey, bool>
    {
        int step = 1, hi = j; // sorted[hi] > t
        int lo = j - step;
        while (lo >= 0 && sorted[lo] > t) { hi = lo; step <<= 1; lo = j - step; }
        lo = Math.Max(lo, -1); // sorted[lo] <= t or lo = -1
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] > t) hi = mid; else lo = mid;
        }
        return hi;
    }
}

/// <summary>The metric formulas, fed one distinct threshold at a time from the top (highest score) down.</summary>
struct SweepAccumulator(long positives, long negatives)
{
    readonly long P = positives, N = negatives;
    long tp, fp, thresholds;
    double twiceArea, apSum, bestDice = -1, bestThreshold = double.NaN, fprAt95 = double.NaN, thresholdAt95 = double.NaN;

    /// <summary>Negatives whose scores lie above the next positive threshold: TP stays, FP and the ROC area grow.</summary>
    public void NegativesOnly(long count)
    {
        twiceArea += (double)count * (2 * tp);
        fp += count;
    }

    /// <summary>The threshold t, a distinct positive score, where <paramref name="tpAdd"/> ≥ 1 positives and
    /// <paramref name="fpAdd"/> tied negatives join the predicted set.</summary>
    public void Threshold(double t, long tpAdd, long fpAdd)
    {
        long tpPrev = tp, fpPrev = fp;
        tp += tpAdd; fp += fpAdd; thresholds++;
        twiceArea += (double)(fp - fpPrev) * (tp + tpPrev);
        apSum += (double)(tp - tpPrev) * tp / (tp + fp);
        double dice = 2.0 * tp / (tp + fp + P);
        if (dice > bestDice) { bestDice = dice; bestThreshold = t; }
        if (double.IsNaN(fprAt95) && (double)tp / P >= 0.95) { fprAt95 = (double)fp / N; thresholdAt95 = t; }
    }

    /// <summary>Adds the negatives below every positive (TP = P on the last ROC segment) and returns the metrics.</summary>
    public SweepResult Finish()
    {
        twiceArea += (double)(N - fp) * (2 * P);
        return new SweepResult(P, N, thresholds, twiceArea / (2.0 * P * N), apSum / P, bestDice, bestThreshold, fprAt95, thresholdAt95);
    }
}
