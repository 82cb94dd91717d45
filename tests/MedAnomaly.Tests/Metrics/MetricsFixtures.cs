using MedAnomaly.Metrics;
using MedAnomaly.Randomness;

namespace MedAnomaly.Tests.Metrics;

/// <summary>The fixtures of tests/golden/make_metrics_golden.py, rebuilt bit for bit from the same counter-based
/// SplitMix64 stream and the same float32 operations (see <c>generated</c> and <c>image_fixture</c> there).</summary>
public static class MetricsFixtures
{
    const ulong Gamma = 0x9E37_79B9_7F4A_7C15ul;

    /// <summary>Outputs start+1 … start+n of mix(seed + i·γ), shifted right by 40 (24 random bits).</summary>
    static ulong[] Stream24(ulong seed, long start, long n)
    {
        var r = new ulong[n];
        for (long i = 0; i < n; i++) r[i] = SplitMix64.Mix(seed + (ulong)(start + i + 1) * Gamma) >> 40;
        return r;
    }

    public static (float[] Scores, bool[] Labels) Generated(ulong seed, int n, int positivesPer2To24, int levels, float shift, float offset)
    {
        var u = Stream24(seed, 0, n);
        var v = Stream24(seed, n, n);
        var scores = new float[n];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = v[i] < (ulong)positivesPer2To24;
            float b = levels > 0 ? (float)((u[i] * (ulong)levels) >> 24) / levels : u[i] * (1f / (1 << 24));
            float s = labels[i] ? b + shift : b;
            scores[i] = s - offset;
        }
        return (scores, labels);
    }

    public static (float[] Scores, bool[] Labels) Get(string name)
    {
        switch (name)
        {
            case "sklearn_doc": return ([0.1f, 0.4f, 0.35f, 0.8f], [false, false, true, true]);
            case "signed_zero": return ([0f, -0f, 0.5f, -0f, 1f, 0f], [true, false, true, false, false, true]);
            case "tiny_two": return ([0.7f, 0.2f], [true, false]);
            case "tiny_tied": return ([0.5f, 0.5f, 0.25f], [true, false, false]);
            case "all_equal":
                return (Enumerable.Repeat(0.5f, 100).ToArray(), Enumerable.Range(0, 100).Select(i => i < 10).ToArray());
            case "single_positive":
                var (s, _) = Generated(3, 1000, 0, 0, 0f, 0f);
                return (s, Enumerable.Range(0, 1000).Select(i => i == 417).ToArray());
            case "heavy_ties": return Generated(5, 5000, (int)(0.3 * (1 << 24)), 8, 0.25f, 0.5f);
            case "mid": return Generated(7, 3000, (int)(0.1 * (1 << 24)), 0, 0.1f, 0f);
            case "large": return Generated(11, 200_000, (int)(0.02 * (1 << 24)), 0, 0.3f, 0f);
            default: throw new ArgumentException(name);
        }
    }

    /// <summary>24 maps 8×8 [N,H,W]; even images get lesions (rate 0.15) with +0.5 signal; foreground = third stream &lt; 0.8.</summary>
    public static (float[] Maps, bool[] Masks, bool[] Foreground) Images()
    {
        const int n = 24, h = 8, w = 8, px = n * h * w;
        var u = Stream24(21, 0, px); var v = Stream24(21, px, px); var f = Stream24(21, 2 * px, px);
        var maps = new float[px]; var masks = new bool[px]; var fg = new bool[px];
        for (int i = 0; i < px; i++)
        {
            bool even = (i / (h * w)) % 2 == 0;
            masks[i] = v[i] < (ulong)(int)(0.15 * (1 << 24)) && even;
            float m = u[i] * (1f / (1 << 24));
            maps[i] = masks[i] ? m + 0.5f : m;
            fg[i] = f[i] < (ulong)(int)(0.8 * (1 << 24));
        }
        return (maps, masks, fg);
    }

    /// <summary>Asserts |actual − expected| ≤ 1e-12·|expected| (relative agreement; exact when expected is 0).</summary>
    public static void Close(double expected, double actual, string what = "")
    {
        double tol = 1e-12 * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= tol || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: expected {expected:R}, got {actual:R} (diff {actual - expected:E3})");
    }
}
