using MedAnomaly.Torch;

namespace MedAnomaly.Tests.Torch;

public class TensorDataTests
{
    [Fact]
    public void FromArraySharesMemoryBothWays()
    {
        using var scope = torch.NewDisposeScope();
        var data = new float[] { 1, 2, 3, 4 };
        var t = torch.from_array(data, 2, 2);
        data[0] = 10;
        Assert.Equal(10f, t[0, 0].item<float>());
        t.AsSpan<float>()[3] = -1;
        Assert.Equal(-1f, data[3]);
    }

    [Fact]
    public void ReducedPrecisionDtypesConvert()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1.5f, -2.25f, 3.140625f });
        Assert.Equal(new float[] { 1.5f, -2.25f, 3.140625f }, x.to(ScalarType.BFloat16).to(ScalarType.Float32).ToArray<float>());
        var bf = x.to(ScalarType.BFloat16).ToArray<BFloat16>().Select(v => (float)v);
        Assert.Equal(new float[] { 1.5f, -2.25f, 3.140625f }, bf);
        Assert.Equal((Half)1.5f, x.to(ScalarType.Float16).ToArray<Half>()[0]);
        Assert.Equal(new[] { true, false, true }, x.gt(0).logical_or(x.gt(3)).ToArray<bool>());
        Assert.Equal(new byte[] { 1, 0, 3 }, x.clamp(min: 0).to(ScalarType.Byte).ToArray<byte>());
    }

    [Fact]
    public void ReductionsAndQuantilesMatchDefinitions()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3, 4, 10, 20 }, 2, 3);
        Assert.Equal(new double[] { 2, 34.0 / 3 }, x.mean(1).ToArray<double>());
        Assert.Equal(Math.Sqrt(1.0), x.std([1])[0].item<double>(), 12);  // unbiased: var([1,2,3]) = 1
        Assert.Equal(new double[] { 4, 10, 20 }, x.amax(0).ToArray<double>());
        Assert.Equal(5L, x.argmax().item<long>());
        Assert.Equal(3.5, x.quantile(0.5).item<double>(), 12);  // numpy's linear interpolation
        Assert.Equal(new long[] { 2, 1 }, x.sum(1, keepdim: true).shape);
        var (values, indices) = x.max(1);
        Assert.Equal(new double[] { 3, 20 }, values.ToArray<double>());
        Assert.Equal(new long[] { 2, 2 }, indices.ToArray<long>());
        var (low, where) = x.min(0, keepdim: true);
        Assert.Equal(new long[] { 1, 3 }, low.shape);
        Assert.Equal(new long[] { 0, 0, 0 }, where.flatten().ToArray<long>());
        Assert.Throws<TorchException>(() => x.max(2));
    }

    [Fact]
    public void CombiningAndGathering()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(6).reshape(2, 3);
        Assert.Equal(new long[] { 4, 3 }, torch.cat([a, a]).shape);
        Assert.Equal(new long[] { 2, 2, 3 }, torch.stack([a, a]).shape);
        var parts = a.chunk(3, dim: 1);
        Assert.Equal(3, parts.Length);
        Assert.Equal(new long[] { 1, 4 }, parts[1].flatten().ToArray<long>());
        Assert.Equal(new long[] { 2, 3 }, a.gather(1, torch.tensor(new long[] { 2, 0 }, 2, 1)).flatten().ToArray<long>());
        Assert.Equal(new long[] { 0, 10, 2, 10, 4, 10 }, torch.where(a.remainder(2).eq(1), torch.full_like(a, 10), a).flatten().ToArray<long>());
    }

    [Fact]
    public void ToStringShowsShapeDtypeAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var text = torch.tensor(new float[] { 1, 2 }).ToString();
        Assert.StartsWith("Tensor [2] float32 on cpu", text);
        Assert.Contains("1", text);
    }

    [Fact]
    public void ThreadsDefaultToTheCoreCount() => Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
}
