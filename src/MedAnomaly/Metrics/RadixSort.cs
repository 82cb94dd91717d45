using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MedAnomaly.Metrics;

/// <summary>LSD radix sort of 32-bit keys: 2 passes of 16-bit digits for large arrays (≥ 2^20 keys; the result lands
/// back in place, no copy), 3 passes of 11-bit digits below that (small histograms). All digit histograms come from
/// one read; a pass whose digit is the same for every key is skipped. O(n) time, one scratch buffer of n keys.</summary>
public static class RadixSort
{
    /// <summary>Below this many keys, an introsort (<see cref="MemoryExtensions.Sort{T}(Span{T})"/>) is used.</summary>
    const int SmallArray = 1024, LargeArray = 1 << 20;

    /// <summary>Sorts <paramref name="keys"/> ascending in place; <paramref name="scratch"/> must hold at least as many elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    public static void Sort(Span<uint> keys, Span<uint> scratch)
    {
        int n = keys.Length;
        if (n < 2) return;
        if (scratch.Length < n) throw new ArgumentException($"scratch holds {scratch.Length} keys, needs {n}", nameof(scratch));
        if (n < SmallArray) { keys.Sort(); return; }
        int digitBits = n >= LargeArray ? 16 : 11;
        int passes = (32 + digitBits - 1) / digitBits, buckets = 1 << digitBits;
        uint mask = (uint)buckets - 1;
        var counts = new int[passes * buckets];
        ref int c = ref MemoryMarshal.GetArrayDataReference(counts);
        foreach (uint k in keys)
            for (int p = 0; p < passes; p++)
                Unsafe.Add(ref c, p * buckets + (int)((k >> (p * digitBits)) & mask))++; // masked digit < buckets
        Span<uint> source = keys, target = scratch[..n];
        for (int pass = 0; pass < passes; pass++)
        {
            var count = counts.AsSpan(pass * buckets, buckets);
            int shift = digitBits * pass;
            if (count[(int)((source[0] >> shift) & mask)] == n) continue; // every key shares this digit
            ScatterPass(source, target, count, shift, mask);
            var swap = source; source = target; target = swap;
        }
        if (source != keys) source.CopyTo(keys);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip tier-0 code
    static void ScatterPass(ReadOnlySpan<uint> source, Span<uint> target, Span<int> count, int shift, uint mask)
    {
        // Exclusive prefix sums turn counts into start offsets.
        int offset = 0;
        for (int d = 0; d < count.Length; d++) { int c = count[d]; count[d] = offset; offset += c; }
        // Offsets stay within target (they are prefix sums of this source's digit counts): no bounds checks needed.
        if (target.Length < source.Length) throw new ArgumentException("target is shorter than source");
        ref int offsets = ref MemoryMarshal.GetReference(count);
        ref uint destination = ref MemoryMarshal.GetReference(target);
        foreach (uint k in source)
        {
            ref int slot = ref Unsafe.Add(ref offsets, (int)((k >> shift) & mask));
            Unsafe.Add(ref destination, slot) = k;
            slot++;
        }
    }
}
