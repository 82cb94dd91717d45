namespace MedAnomaly.Data;

/// <summary>
/// A montage of phantom slices for a quick look: one row per volume, axial slices (anterior up) with the
/// lesion mask drawn as a red outline, written as an 8-bit RGB PNG.
/// </summary>
public static class PhantomPreview
{
    /// <summary>Writes the montage of <paramref name="volumes"/> (up to <paramref name="columns"/> axial slices
    /// each: through the largest lesion area first when there is one, then evenly spaced) to <paramref name="path"/>.
    /// Intensities are shown on [0, 1.1] of the raw image.</summary>
    public static void Write(string path, IReadOnlyList<PhantomVolume> volumes, int columns = 4)
    {
        if (volumes.Count == 0) throw new ArgumentException("preview: no volumes");
        int n = volumes[0].Size, gap = 2;
        int width = columns * n + (columns - 1) * gap, height = volumes.Count * n + (volumes.Count - 1) * gap;
        var rgb = new byte[width * height * 3];
        for (int row = 0; row < volumes.Count; row++)
        {
            var v = volumes[row];
            if (v.Size != n) throw new ArgumentException("preview: volumes must have the same size");
            var slices = PickSlices(v, columns);
            for (int col = 0; col < slices.Count; col++)
                DrawSlice(rgb, width, col * (n + gap), row * (n + gap), v, slices[col]);
        }
        Png.WriteRgb(path, rgb, width, height);
    }

    private static List<int> PickSlices(PhantomVolume v, int count)
    {
        int n = v.Size, plane = n * n;
        var picks = new List<int>();
        var lesionArea = Enumerable.Range(0, n).Select(z => { int s = 0; for (int i = z * plane; i < (z + 1) * plane; i++) s += v.Mask[i]; return s; }).ToArray();
        if (lesionArea.Max() > 0) picks.Add(Array.IndexOf(lesionArea, lesionArea.Max()));
        for (int k = 0; picks.Count < count; k++)
        {
            int z = (int)(n * (0.40 + 0.25 * k / Math.Max(1, count - 1)));
            if (k >= count * 2) break;
            if (!picks.Any(p => Math.Abs(p - z) < n / 32)) picks.Add(Math.Min(z, n - 1));
        }
        picks.Sort();
        return picks;
    }

    private static void DrawSlice(byte[] rgb, int width, int x0, int y0, PhantomVolume v, int z)
    {
        int n = v.Size, plane = n * n;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                int i = z * plane + y * n + x;
                int outRow = y0 + (n - 1 - y);                 // anterior (high y) at the top
                int o = (outRow * width + x0 + x) * 3;
                byte grey = (byte)Math.Round(Math.Clamp(v.Image[i] / 1.1f, 0f, 1f) * 255);
                bool edge = v.Mask[i] != 0 && (x == 0 || y == 0 || x == n - 1 || y == n - 1
                            || v.Mask[i - 1] == 0 || v.Mask[i + 1] == 0 || v.Mask[i - n] == 0 || v.Mask[i + n] == 0);
                if (edge) { rgb[o] = 255; rgb[o + 1] = 32; rgb[o + 2] = 32; }
                else { rgb[o] = grey; rgb[o + 1] = grey; rgb[o + 2] = grey; }
            }
    }
}
