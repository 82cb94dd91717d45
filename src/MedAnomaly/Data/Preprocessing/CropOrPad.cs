namespace MedAnomaly.Data;

/// <summary>Centre crop / pad of a [H, W] row-major image to a target size.</summary>
public static class CropOrPad
{
    /// <summary>
    /// Per axis: when the target is smaller, keep the centred window starting at ⌊(in − out)/2⌋; when larger,
    /// pad ⌊(out − in)/2⌋ before and the rest after with <paramref name="padValue"/> (MONAI's symmetric
    /// SpatialPad / CenterSpatialCrop convention when the difference is even; the odd extra goes at the end).
    /// </summary>
    public static float[] Center2D(ReadOnlySpan<float> image, int h, int w, int outH, int outW, float padValue = 0)
    {
        if (h <= 0 || w <= 0 || outH <= 0 || outW <= 0) throw new ArgumentException($"crop_or_pad: sizes must be positive, got {h}x{w} -> {outH}x{outW}");
        if (image.Length != h * w) throw new ArgumentException($"crop_or_pad: image has {image.Length} values, expected {h}x{w} = {h * w}");
        var dst = new float[outH * outW];
        if (padValue != 0) Array.Fill(dst, padValue);
        // Offset of the output in input coordinates (negative = padding before).
        int offY = Offset(h, outH), offX = Offset(w, outW);
        for (int y = 0; y < outH; y++)
        {
            int sy = y + offY;
            if (sy < 0 || sy >= h) continue;
            for (int x = 0; x < outW; x++)
            {
                int sx = x + offX;
                if (sx >= 0 && sx < w) dst[y * outW + x] = image[sy * w + sx];
            }
        }
        return dst;
    }

    private static int Offset(int input, int output) =>
        output <= input ? (input - output) / 2 : -((output - input) / 2);
}
