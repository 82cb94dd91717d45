namespace MedAnomaly.Metrics;

/// <summary>Groups images (2D slices) into volumes for per-volume metrics and DISYRE sampling, and gathers their
/// pixels (optionally only foreground pixels) into flat arrays stored volume after volume.</summary>
public static class VolumeGroups
{
    /// <summary>Image indices of each volume. <paramref name="volumeIds"/> [N] assigns a volume id to each image
    /// (volumes ordered by first appearance, images in their original order); empty means each image is its own volume.</summary>
    public static List<List<int>> Group(int imageCount, ReadOnlySpan<int> volumeIds)
    {
        var groups = new List<List<int>>();
        if (volumeIds.IsEmpty)
        {
            for (int i = 0; i < imageCount; i++) groups.Add([i]);
            return groups;
        }
        MetricInputs.CheckSameLength(volumeIds.Length, imageCount, "volume ids", "images");
        var index = new Dictionary<int, int>();
        for (int i = 0; i < imageCount; i++)
        {
            if (!index.TryGetValue(volumeIds[i], out int g)) { g = groups.Count; index[volumeIds[i]] = g; groups.Add([]); }
            groups[g].Add(i);
        }
        return groups;
    }

    /// <summary>Copies the pixels of maps [N, pixelsPerImage] and masks [N, pixelsPerImage], volume by volume, keeping
    /// only pixels where <paramref name="foreground"/> (same shape, or empty for all) is true.
    /// Returns the pooled arrays and offsets [V+1] of each volume in them.</summary>
    public static (float[] Scores, bool[] Labels, long[] Offsets) Gather(ReadOnlySpan<float> maps, ReadOnlySpan<bool> masks, ReadOnlySpan<bool> foreground,
                                                                        int pixelsPerImage, List<List<int>> groups)
    {
        MetricInputs.CheckSameLength(maps.Length, masks.Length, "maps", "masks");
        if (!foreground.IsEmpty) MetricInputs.CheckSameLength(maps.Length, foreground.Length, "maps", "foreground");
        long kept = foreground.IsEmpty ? maps.Length : MetricInputs.CountTrue(foreground);
        var scores = new float[kept];
        var labels = new bool[kept];
        var offsets = new long[groups.Count + 1];
        int n = 0;
        for (int v = 0; v < groups.Count; v++)
        {
            offsets[v] = n;
            foreach (int image in groups[v])
            {
                int start = image * pixelsPerImage;
                if (foreground.IsEmpty)
                {
                    maps.Slice(start, pixelsPerImage).CopyTo(scores.AsSpan(n));
                    masks.Slice(start, pixelsPerImage).CopyTo(labels.AsSpan(n));
                    n += pixelsPerImage;
                    continue;
                }
                for (int p = start; p < start + pixelsPerImage; p++)
                {
                    if (!foreground[p]) continue;
                    scores[n] = maps[p]; labels[n] = masks[p]; n++;
                }
            }
        }
        offsets[groups.Count] = n;
        return (scores, labels, offsets);
    }

    /// <summary>Whether the volumes list the images 0, 1, …, N−1 in order (each image its own volume, or runs of
    /// consecutive images): their pixels, in volume order, are then the maps as they are.</summary>
    public static bool InImageOrder(List<List<int>> groups)
    {
        int next = 0;
        foreach (var group in groups)
            foreach (int image in group)
                if (image != next++) return false;
        return true;
    }

    /// <summary>Offsets [V+1] of each volume's pixels when every pixel is kept and the volumes are in image order.</summary>
    public static long[] ImageOffsets(List<List<int>> groups, int pixelsPerImage)
    {
        var offsets = new long[groups.Count + 1];
        for (int v = 0; v < groups.Count; v++) offsets[v + 1] = offsets[v] + (long)groups[v].Count * pixelsPerImage;
        return offsets;
    }

    /// <summary>Throws unless offsets [V+1] start at 0, never decrease and end at <paramref name="count"/>.</summary>
    public static void CheckOffsets(ReadOnlySpan<long> offsets, long count)
    {
        if (offsets.Length < 2 || offsets[0] != 0 || offsets[^1] != count)
            throw new ArgumentException($"volume offsets must start at 0 and end at the pixel count {count}");
        for (int i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) throw new ArgumentException($"volume offsets must not decrease (index {i})");
    }
}
