namespace MedAnomaly.Data;

/// <summary>Foreground (e.g. brain or head) masks from non-zero voxels.</summary>
public static class Foreground
{
    /// <summary>Mask of the same length: 1 where value &gt; <paramref name="threshold"/> (default: non-zero
    /// positive voxels), else 0.</summary>
    public static byte[] Mask(ReadOnlySpan<float> data, double threshold = 0)
    {
        var mask = new byte[data.Length];
        for (int i = 0; i < data.Length; i++) mask[i] = data[i] > threshold ? (byte)1 : (byte)0;
        return mask;
    }

    /// <summary>Fraction of values above <paramref name="threshold"/> (0 for an empty span).</summary>
    public static double Fraction(ReadOnlySpan<float> data, double threshold = 0)
    {
        if (data.Length == 0) return 0;
        int count = 0;
        foreach (float v in data) if (v > threshold) count++;
        return (double)count / data.Length;
    }

    /// <summary>The values above <paramref name="threshold"/>, in order.</summary>
    public static float[] Values(ReadOnlySpan<float> data, double threshold = 0)
    {
        var list = new List<float>(data.Length);
        foreach (float v in data) if (v > threshold) list.Add(v);
        return list.ToArray();
    }
}
