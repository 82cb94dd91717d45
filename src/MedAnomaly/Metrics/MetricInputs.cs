using System.Numerics;
using System.Runtime.InteropServices;

namespace MedAnomaly.Metrics;

/// <summary>What a metric does when the labels hold only one class (AUROC, AP and best Dice are then undefined).</summary>
public enum OneClassPolicy
{
    /// <summary>Throw an <see cref="ArgumentException"/> naming the class counts (the default).</summary>
    Throw,
    /// <summary>Return NaN for every metric that needs both classes.</summary>
    NaN,
}

/// <summary>Input checks shared by every metric: equal lengths, finite scores, both classes present.
/// Each failure is an <see cref="ArgumentException"/> that names the input and what was expected.</summary>
public static class MetricInputs
{
    /// <summary>Throws unless <paramref name="scoreCount"/> equals <paramref name="labelCount"/>.</summary>
    public static void CheckSameLength(long scoreCount, long labelCount, string scoresName = "scores", string labelsName = "labels")
    {
        if (scoreCount != labelCount)
            throw new ArgumentException($"{scoresName} has {scoreCount} elements but {labelsName} has {labelCount}; they must match one to one");
    }

    /// <summary>Throws if any score is NaN or ±∞, naming how many and the first index.</summary>
    public static void CheckFinite(ReadOnlySpan<float> scores, string name = "scores")
    {
        int first = -1; long count = 0;
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsFinite(scores[i])) { if (first < 0) first = i; count++; }
        if (count > 0) throw NonFinite(name, count, first, scores[first]);
    }

    /// <inheritdoc cref="CheckFinite(ReadOnlySpan{float}, string)"/>
    public static void CheckFinite(ReadOnlySpan<double> scores, string name = "scores")
    {
        int first = -1; long count = 0;
        for (int i = 0; i < scores.Length; i++)
            if (!double.IsFinite(scores[i])) { if (first < 0) first = i; count++; }
        if (count > 0) throw NonFinite(name, count, first, scores[first]);
    }

    static ArgumentException NonFinite(string name, long count, int first, double value) =>
        new($"{name} contains {count} non-finite value(s) (NaN or ±∞); the first is {value} at flat index {first}. Scores must be finite.");

    /// <summary>Counts positives; throws (or returns false under <see cref="OneClassPolicy.NaN"/>) when only one class is present.</summary>
    public static bool CheckBothClasses(long positives, long negatives, OneClassPolicy policy, string what = "labels")
    {
        if (positives > 0 && negatives > 0) return true;
        if (policy == OneClassPolicy.NaN) return false;
        string only = positives == 0 ? "negatives" : "positives";
        throw new ArgumentException($"{what} contain only {only} ({positives} positive, {negatives} negative); AUROC, AP and best Dice need both classes " +
                                    "(pass OneClassPolicy.NaN to get NaN instead)");
    }

    /// <summary>Number of true entries (a bool is one byte, 0 or 1).</summary>
    public static long CountTrue(ReadOnlySpan<bool> labels)
    {
        var bytes = MemoryMarshal.AsBytes(labels);
        int width = Vector<byte>.Count;
        long count = 0;
        int i = 0;
        while (i + width <= bytes.Length)
        {
            // Accumulate at most 255 vectors in byte lanes so no lane overflows, then widen and add up.
            var acc = Vector<byte>.Zero;
            for (int block = 0; block < 255 && i + width <= bytes.Length; block++, i += width)
                acc += Vector.Min(new Vector<byte>(bytes.Slice(i)), Vector<byte>.One);
            Vector.Widen(acc, out Vector<ushort> low, out Vector<ushort> high);
            count += Vector.Sum(low + high);
        }
        for (; i < bytes.Length; i++) if (bytes[i] != 0) count++;
        return count;
    }
}
