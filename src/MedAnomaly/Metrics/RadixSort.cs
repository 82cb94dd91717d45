using System.Runtime.CompilerServices;
namespace MedAnomaly.Metrics;

/// <summary>LSD radix sort of 32-bit keys, 11 bits per pass (3 passes, all histograms from one read); a pass whose
/// digit is the same for every key is skipped. O(n) time, one scratch buffer of n keys.</summary>
public static class RadixSort
{
    public const int DigitBits = 11, Buckets = 1 << DigitBits, Mask = Buckets - 1, Passes = 3;

    /// <summary>Adds a key to digit histograms [Passes·Buckets] (lets a caller build them while it writes the keys).</summary>
    public static void Count(int[] counts, uint k)
    {
        counts[k & Mask]++;
        counts[Buckets + ((k >> DigitBits) & Mask)]++;
        counts[2 * Buckets + (k >> (2 * DigitBits))]++;
    }

    /// <summary>Sorts <paramref name="keys"/> ascending in place; <paramref name="scratch"/> must hold at least as many elements.</summary>
    public static void Sort(Span<uint> keys, Span<uint> scratch) => Sort(keys, scratch, null);

    /// <summary>As <see cref="Sort(Span{uint}, Span{uint})"/> with digit histograms already built by <see cref="Count"/>
    /// (null: build them here). The histograms are consumed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    public static void Sort(Span<uint> keys, Span<uint> scratch, int[]? counts)
    {
        int n = keys.Length;
        if (n < 2) return;
        if (scratch.Length < n) throw new ArgumentException($"scratch holds {scratch.Length} keys, needs {n}", nameof(scratch));
        if (n < 1024) { keys.Sort(); return; }
        if (counts == null)
        {
            counts = new int[Passes * Buckets];
            foreach (uint k in keys) Count(counts, k);
        }
        Span<uint> source = keys, target = scratch[..n];
        for (int pass = 0; pass < Passes; pass++)
        {
            var count = counts.AsSpan(pass * Buckets, Buckets);
            int shift = DigitBits * pass;
            if (count[(int)((source[0] >> shift) & Mask)] == n) continue; // every key shares this digit
            ScatterPass(source, target, count, shift);
            var swap = source; source = target; target = swap;
        }
        if (source != keys) source.CopyTo(keys);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    static void ScatterPass(ReadOnlySpan<uint> source, Span<uint> target, Span<int> count, int shift)
    {
        // Exclusive prefix sums turn counts into start offsets.
        int offset = 0;
        for (int d = 0; d < Buckets; d++) { int c = count[d]; count[d] = offset; offset += c; }
        foreach (uint k in source)
        {
            int d = (int)((k >> shift) & Mask);
            target[count[d]++] = k;
        }
    }
}
