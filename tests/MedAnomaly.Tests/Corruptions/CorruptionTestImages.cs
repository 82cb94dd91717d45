using MedAnomaly.Data;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>Small deterministic image batches for the corruption tests.</summary>
static class CorruptionTestImages
{
    /// <summary>[n,1,size,size] float32: an elliptic "head" of textured intensities in [0.1, 0.9]; background exactly 0.</summary>
    public static Tensor Heads(int n, int size)
    {
        var data = new float[n * size * size];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                {
                    double u = (j + 0.5 - size / 2.0) / (0.45 * size), v = (i + 0.5 - size / 2.0) / ((0.40 + 0.02 * b) * size);
                    if (u * u + v * v < 1)
                        data[(b * size + i) * size + j] = (float)(0.5 + 0.4 * Math.Sin(0.3 * i + 0.2 * j + b) * Math.Cos(0.17 * j - 0.11 * i));
                }
        return torch.tensor(data, [n, 1, size, size]);
    }

    /// <summary>[n,1,size,size] float32 where image b is the constant 0.2 + 0.25·b everywhere.</summary>
    public static Tensor Constants(int n, int size) =>
        torch.arange(n, ScalarType.Float32).mul(0.25).add(0.2).view(n, 1, 1, 1).expand(n, 1, size, size).contiguous();

    /// <summary>[n,1,64,64]: middle axial slices of healthy phantom volumes, divided by their maximum (in [0,1], background 0).</summary>
    public static Tensor PhantomSlices(int n, int size = 64)
    {
        var data = new float[n * size * size];
        for (int b = 0; b < n; b++)
        {
            var volume = Phantom.Generate(Phantom.VolumeSeed(11, b), size, withLesions: false);
            var slice = volume.Image.AsSpan(size / 2 * size * size, size * size).ToArray();
            float max = slice.Max();
            for (int k = 0; k < slice.Length; k++) data[b * size * size + k] = Math.Clamp(slice[k] / max, 0f, 1f);
        }
        return torch.tensor(data, [n, 1, size, size]);
    }

    /// <summary>Golden pattern ((k·mul + offset) mod m) / (m − 1) as float32, as make_corruptions_golden.py builds it.</summary>
    public static float[] Pattern(int n, long mul, long mod, long offset = 0)
    {
        var values = new float[n];
        for (long k = 0; k < n; k++) values[k] = (float)(((k * mul + offset) % mod) / (mod - 1.0));
        return values;
    }

    /// <summary>Same shape, dtype and values.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }

    /// <summary>True when a and b hold bit-identical float32 values at every position where keep is true.</summary>
    public static void AssertIdenticalWhere(Tensor a, Tensor b, Tensor keep)
    {
        var x = a.ToArray<float>();
        var y = b.ToArray<float>();
        var k = keep.expand_as(a).ToArray<bool>();
        for (int i = 0; i < x.Length; i++)
            if (k[i] && BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i]))
                Assert.Fail($"element {i} changed outside the mask: {y[i]:R} → {x[i]:R}");
    }
}
