using System.Numerics;
using System.Runtime.InteropServices;

namespace MedAnomaly.Metrics;

/// <summary>What a metric does when the labels hold only one class (AUROC, AP and best Dice are then undefined).</summary>
public enum OneClassPolicy
{
    /// <summary>Throw a <see cref="OneClassException"/> naming the class counts (the default).</summary>
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

    /// <summary>Whether both classes are present; when not, throws a <see cref="OneClassException"/> or, under
    /// <see cref="OneClassPolicy.NaN"/>, returns false.</summary>
    public static bool CheckBothClasses(long positives, long negatives, OneClassPolicy policy, string what = "labels")
    {
        if (positives > 0 && negatives > 0) return true;
        if (policy == OneClassPolicy.NaN) return false;
        throw new OneClassException(what, positives, negatives);
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

/// <summary>The labels hold one class only, so AUROC, AP and best Dice are undefined (<see cref="OneClassPolicy.Throw"/>).</summary>
public sealed class OneClassException(string what, long positives, long negatives)
    : ArgumentException(Describe(what, positives, negatives) + " (OneClassPolicy.NaN gives NaN instead)")
{
    public string What { get; } = what;
    public long Positives { get; } = positives;
    public long Negatives { get; } = negatives;

    /// <summary>What was wrong, without the library's hint (the CLI adds its own flag).</summary>
    public string Problem => Describe(What, Positives, Negatives);

    static string Describe(string what, long positives, long negatives) =>
        $"{what} contain only {(positives == 0 ? "negatives" : "positives")} ({positives} positive, {negatives} negative); AUROC, AP and best Dice need both classes";
}
