namespace MedAnomaly.Randomness;

/// <summary>SplitMix64 (Steele, Lea &amp; Flood 2014): a tiny seeded generator whose output is fully specified,
/// so a Python re-implementation (tests/golden/make_metrics_golden.py) reproduces it bit for bit.
/// The i-th output (i = 1, 2, …) is Mix(seed + i·0x9E3779B97F4A7C15).</summary>
public sealed class SplitMix64(ulong seed)
{
    /// <summary>The golden-ratio increment added to the state before each output.</summary>
    public const ulong Gamma = 0x9E37_79B9_7F4A_7C15ul;
    ulong _state = seed;

    /// <summary>Next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>The SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBul;
        return z ^ (z >> 31);
    }

    /// <summary>k distinct indices drawn uniformly from [0, n) by a partial Fisher–Yates shuffle (swaps kept in a
    /// dictionary, so O(k) memory): for i &lt; k, j = i + Next() mod (n − i); swap(i, j); take position i.
    /// When k ≥ n every index is returned in order and no random number is drawn.</summary>
    public long[] SampleWithoutReplacement(long n, int k)
    {
        if (n < 0 || k < 0) throw new ArgumentException($"n and k must be non-negative (n={n}, k={k})");
        if (k >= n)
        {
            var all = new long[n];
            for (long i = 0; i < n; i++) all[i] = i;
            return all;
        }
        var moved = new Dictionary<long, long>(k);
        var picked = new long[k];
        for (long i = 0; i < k; i++)
        {
            long j = i + (long)(Next() % (ulong)(n - i));
            long atJ = moved.TryGetValue(j, out var vj) ? vj : j;
            long atI = moved.TryGetValue(i, out var vi) ? vi : i;
            moved[j] = atI;
            picked[i] = atJ;
        }
        return picked;
    }
}
