namespace MedAnomaly.Metrics;

/// <summary>LSD radix sort of 32-bit keys, 8 bits per pass (4 passes, all histograms from one read);
/// a pass whose digit is the same for every key is skipped. O(n) time, one scratch buffer of n keys.</summary>
public static class RadixSort
{
    /// <summary>Sorts <paramref name="keys"/> ascending in place; <paramref name="scratch"/> must hold at least as many elements.</summary>
    public static void Sort(Span<uint> keys, Span<uint> scratch)
    {
        int n = keys.Length;
        if (n < 2) return;
        if (scratch.Length < n) throw new ArgumentException($"scratch holds {scratch.Length} keys, needs {n}", nameof(scratch));
        if (n < 256) { keys.Sort(); return; }
        var counts = new int[4 * 256];
        foreach (uint k in keys)
        {
            counts[k & 0xFF]++;
            counts[256 + ((k >> 8) & 0xFF)]++;
            counts[512 + ((k >> 16) & 0xFF)]++;
            counts[768 + (k >> 24)]++;
        }
        Span<uint> source = keys, target = scratch[..n];
        for (int pass = 0; pass < 4; pass++)
        {
            var count = counts.AsSpan(pass * 256, 256);
            if (count[(int)((source[0] >> (8 * pass)) & 0xFF)] == n) continue; // every key shares this digit
            ScatterPass(source, target, count, 8 * pass);
            var swap = source; source = target; target = swap;
        }
        if (source != keys) source.CopyTo(keys);
    }

    static void ScatterPass(ReadOnlySpan<uint> source, Span<uint> target, Span<int> count, int shift)
    {
        // Exclusive prefix sums turn counts into start offsets.
        int offset = 0;
        for (int d = 0; d < 256; d++) { int c = count[d]; count[d] = offset; offset += c; }
        foreach (uint k in source)
        {
            int d = (int)((k >> shift) & 0xFF);
            target[count[d]++] = k;
        }
    }
}
