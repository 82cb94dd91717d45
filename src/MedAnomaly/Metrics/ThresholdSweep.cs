using System.Runtime.CompilerServices;
using System.Numerics;

namespace MedAnomaly.Metrics;

/// <summary>The shared exact sweep behind every curve metric (<see cref="MetricRegistry.Curve"/>): split scores by
/// label, sort each class (radix sort on order-preserving float keys), then walk both from the top, one step per
/// distinct positive score (runs of negatives in between are skipped by galloping search, since TP is constant
/// there), accumulating TP/FP in integers into a <see cref="SweepCurve"/>. Cost: O(n) sort + one pass; extra memory:
/// 4 bytes per score + a scratch buffer the size of the larger class (both reused) + 32 bytes per curve point.</summary>
public static class ThresholdSweep
{
    /// <summary>Every registered curve metric of float scores [n] against labels [n] (true = anomalous / lesion).</summary>
    public static SweepResult Run(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        SweepResult.Of(Curve(scores, labels, policy));

    /// <summary>Every registered curve metric of double scores [n] (e.g. image scores) against labels [n].</summary>
    public static SweepResult Run(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw) =>
        SweepResult.Of(Curve(scores, labels, policy));

    /// <summary>The curve of float scores [n] against labels [n]; without both classes it throws, or (under
    /// <see cref="OneClassPolicy.NaN"/>) returns a curve without points.</summary>
    /// <remarks>The key buffer (4 bytes per score + scratch for the larger class, 8 bytes per score at most) is kept
    /// per thread behind a weak reference and reused by the next call, so repeated calls do not fault in fresh memory;
    /// the GC may reclaim it at any time.</remarks>
    public static SweepCurve Curve(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw)
    {
        MetricInputs.CheckSameLength(scores.Length, labels.Length);
        int P = (int)MetricInputs.CountTrue(labels), N = scores.Length - P;
        if (!MetricInputs.CheckBothClasses(P, N, policy)) { MetricInputs.CheckFinite(scores); return SweepCurve.OneClass(P, N); }
        var buffer = KeyBuffer(checked(P + N + Math.Max(P, N))).AsSpan();
        Span<uint> pos = buffer[..P], neg = buffer.Slice(P, N), scratch = buffer[(P + N)..];
        SplitAndSort(scores, labels, pos, neg, scratch);
        return FromSorted<uint>(pos, neg, key => SortKeys.ToFloat(key));
    }

    /// <summary>The curve of double scores [n] against labels [n]; see the float overload.</summary>
    public static SweepCurve Curve(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, OneClassPolicy policy = OneClassPolicy.Throw)
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
        if (!MetricInputs.CheckBothClasses(pos.Length, neg.Length, policy)) return SweepCurve.OneClass(pos.Length, neg.Length);
        Array.Sort(pos);
        Array.Sort(neg);
        return FromSorted<ulong>(pos, neg, SortKeys.ToDouble);
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

    /// <summary>The single pass over ascending keys of positives [P] and negatives [N], both non-empty, walked from
    /// the highest score down into a <see cref="SweepCurve"/>. <paramref name="toScore"/> turns a key back into its score.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    public static SweepCurve FromSorted<TKey>(ReadOnlySpan<TKey> pos, ReadOnlySpan<TKey> neg, Func<TKey, double> toScore)
        where TKey : struct, IComparisonOperators<TKey, TKey, bool>
    {
        int points = CountDistinct(pos);
        var thresholds = new double[points];
        long[] truePositives = new long[points], falsePositives = new long[points], falsePositivesAbove = new long[points];
        long tp = 0, fp = 0;
        int i = pos.Length - 1, j = neg.Length - 1;
        for (int k = 0; k < points; k++)
        {
            TKey t = pos[i];
            if (j >= 0 && neg[j] > t)
            {
                // Negatives above the next positive: TP is constant, only FP moves.
                int lo = FirstAbove(neg, j, t);
                fp += j + 1 - lo;
                j = lo - 1;
            }
            falsePositivesAbove[k] = fp;
            while (i >= 0 && pos[i] == t) { tp++; i--; }
            while (j >= 0 && neg[j] == t) { fp++; j--; }
            thresholds[k] = toScore(t);
            truePositives[k] = tp;
            falsePositives[k] = fp;
        }
        return new SweepCurve(pos.Length, neg.Length, thresholds, truePositives, falsePositives, falsePositivesAbove);
    }

    /// <summary>Number of distinct keys in an ascending array.</summary>
    static int CountDistinct<TKey>(ReadOnlySpan<TKey> sorted) where TKey : struct, IComparisonOperators<TKey, TKey, bool>
    {
        int distinct = sorted.IsEmpty ? 0 : 1;
        for (int i = 1; i < sorted.Length; i++) if (sorted[i] != sorted[i - 1]) distinct++;
        return distinct;
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
