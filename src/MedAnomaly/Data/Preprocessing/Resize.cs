namespace MedAnomaly.Data;

/// <summary>How <see cref="Resize"/> samples: as PyTorch's F.interpolate modes.</summary>
public enum ResizeMode { Bilinear, Area, Nearest }

/// <summary>
/// 2D resizing of a [H, W] row-major image, matching PyTorch's F.interpolate (torch 1.13, CPU, float32):
/// bilinear with align_corners=False, area (= adaptive average pooling) and nearest (the legacy 'nearest',
/// used for masks so labels stay labels).
/// </summary>
public static class Resize
{
    /// <summary>Resizes <paramref name="image"/> ([h, w]) to [outH, outW].</summary>
    public static float[] Image2D(ReadOnlySpan<float> image, int h, int w, int outH, int outW, ResizeMode mode)
    {
        if (h <= 0 || w <= 0 || outH <= 0 || outW <= 0) throw new ArgumentException($"resize: sizes must be positive, got {h}x{w} -> {outH}x{outW}");
        if (image.Length != h * w) throw new ArgumentException($"resize: image has {image.Length} values, expected {h}x{w} = {h * w}");
        return mode switch
        {
            ResizeMode.Bilinear => Bilinear(image, h, w, outH, outW),
            ResizeMode.Area => Area(image, h, w, outH, outW),
            ResizeMode.Nearest => Nearest(image, h, w, outH, outW),
            _ => throw new ArgumentException($"resize: unknown mode {mode}"),
        };
    }

    /// <summary>Parses "bilinear", "area" or "nearest".</summary>
    public static ResizeMode ParseMode(string s) => s switch
    {
        "bilinear" => ResizeMode.Bilinear,
        "area" => ResizeMode.Area,
        "nearest" => ResizeMode.Nearest,
        _ => throw new ArgumentException($"resize mode '{s}': expected bilinear, area or nearest"),
    };

    /// <summary>align_corners=False: source = (dst + 0.5)·(in/out) − 0.5, clamped below at 0; the right
    /// neighbour is clamped at the edge (PyTorch's upsample_bilinear2d).</summary>
    private static float[] Bilinear(ReadOnlySpan<float> src, int h, int w, int outH, int outW)
    {
        var (y0, y1, ly) = LinearTaps(h, outH);
        var (x0, x1, lx) = LinearTaps(w, outW);
        var dst = new float[outH * outW];
        for (int y = 0; y < outH; y++)
        {
            int r0 = y0[y] * w, r1 = y1[y] * w;
            float wy1 = ly[y], wy0 = 1 - wy1;
            for (int x = 0; x < outW; x++)
            {
                float wx1 = lx[x], wx0 = 1 - wx1;
                dst[y * outW + x] = wy0 * (wx0 * src[r0 + x0[x]] + wx1 * src[r0 + x1[x]])
                                  + wy1 * (wx0 * src[r1 + x0[x]] + wx1 * src[r1 + x1[x]]);
            }
        }
        return dst;
    }

    private static (int[] i0, int[] i1, float[] lambda) LinearTaps(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var i0 = new int[outSize]; var i1 = new int[outSize]; var lambda = new float[outSize];
        for (int d = 0; d < outSize; d++)
        {
            float s = Math.Max(scale * (d + 0.5f) - 0.5f, 0f);
            int lo = Math.Min((int)s, inSize - 1);
            i0[d] = lo;
            i1[d] = Math.Min(lo + 1, inSize - 1);
            lambda[d] = s - lo;
        }
        return (i0, i1, lambda);
    }

    /// <summary>Adaptive average pooling: output cell i averages input rows floor(i·in/out) … ceil((i+1)·in/out) − 1.</summary>
    private static float[] Area(ReadOnlySpan<float> src, int h, int w, int outH, int outW)
    {
        var dst = new float[outH * outW];
        for (int y = 0; y < outH; y++)
        {
            int ys = y * h / outH, ye = ((y + 1) * h + outH - 1) / outH;
            for (int x = 0; x < outW; x++)
            {
                int xs = x * w / outW, xe = ((x + 1) * w + outW - 1) / outW;
                double sum = 0;
                for (int yy = ys; yy < ye; yy++)
                    for (int xx = xs; xx < xe; xx++) sum += src[yy * w + xx];
                dst[y * outW + x] = (float)(sum / ((ye - ys) * (xe - xs)));
            }
        }
        return dst;
    }

    /// <summary>Legacy nearest: source = min(floor(dst · (in/out)), in − 1), computed in float32 like PyTorch.</summary>
    private static float[] Nearest(ReadOnlySpan<float> src, int h, int w, int outH, int outW)
    {
        var sy = NearestTaps(h, outH);
        var sx = NearestTaps(w, outW);
        var dst = new float[outH * outW];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++) dst[y * outW + x] = src[sy[y] * w + sx[x]];
        return dst;
    }

    private static int[] NearestTaps(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var taps = new int[outSize];
        for (int d = 0; d < outSize; d++) taps[d] = Math.Min((int)MathF.Floor(d * scale), inSize - 1);
        return taps;
    }
}
