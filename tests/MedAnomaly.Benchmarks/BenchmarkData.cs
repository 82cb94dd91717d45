using MedAnomaly.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Benchmarks;

/// <summary>Synthetic inputs of the benchmarks: textured discs on a zero background (something for DAG to corrupt).</summary>
public static class BenchmarkData
{
    /// <summary>[n,1,size,size] float32: uniform texture in [0.1, 0.9] inside a centred disc, 0 outside.</summary>
    public static Tensor Images(int n, int size, ulong seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(seed);
        var x = torch.rand([n, 1, size, size], generator: generator) * 0.8 + 0.1;
        var r = torch.arange(size, ScalarType.Float32) - (size - 1) / 2f;
        var inside = (r.square().unsqueeze(1) + r.square().unsqueeze(0)).lt(size * size * 0.18f).to(ScalarType.Float32);
        return (x * inside).MoveToOuterDisposeScope();
    }

    /// <summary>n healthy training slices of <see cref="Images"/> (seed 9), the disc as foreground.</summary>
    public static SliceDataset Slices(int n, int size)
    {
        using var images = Images(n, size, seed: 9);
        var values = images.data<float>().ToArray();
        int pixels = size * size;
        var items = Enumerable.Range(0, n).Select(i =>
        {
            var image = values.AsSpan(i * pixels, pixels).ToArray();
            return new SliceItem(image, size, size, 0, null, Array.ConvertAll(image, v => v > 0 ? (byte)1 : (byte)0), "benchmark", -1, i, "train");
        }).ToList();
        return new SliceDataset(items);
    }
}
