using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>Every registered corruption, run on phantom slices: shapes, ranges, untouched pixels, determinism.</summary>
public class CorruptionRegistryTests
{
    public static TheoryData<string> Names() => new(CorruptionRegistry.All.Select(e => e.Name));

    [Fact]
    public void DescribeListsEveryCorruptionWithItsHelp()
    {
        var text = CorruptionRegistry.Describe();
        Assert.All(CorruptionRegistry.All, e => Assert.Contains(e.Name, text));
        Assert.All(CorruptionRegistry.All, e => Assert.Contains(e.Help, text));
        Assert.Equal(CorruptionRegistry.All.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("coarse-noise", text);
        var e = Assert.Throws<ArgumentException>(() => CorruptionRegistry.Create("gaussian-blob"));
        Assert.Contains("fpi", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RunsOnThePhantomWithTheSharedContract(string name)
    {
        using var scope = torch.NewDisposeScope();
        var corruption = CorruptionRegistry.Create(name);
        Assert.Equal(name, corruption.Name);
        var clean = CorruptionTestImages.PhantomSlices(2);
        CorruptionResult Run()
        {
            using var rng = new Generator(17);
            return corruption.Apply(clean, null, rng);
        }
        var result = Run();
        Assert.Equal(clean.shape, result.Corrupted.shape);
        Assert.Equal(new long[] { 2, 1, 64, 64 }, result.Mask.shape);
        Assert.Equal(new long[] { 2 }, result.Severity.shape);
        Assert.Equal(ScalarType.Float32, result.Corrupted.dtype);
        Assert.True(result.Corrupted.isfinite().all().item<bool>());
        Assert.True(result.Mask.ge(0).all().item<bool>() && result.Mask.le(1).all().item<bool>());
        Assert.True(result.Severity.ge(0).all().item<bool>() && result.Severity.le(1).all().item<bool>());
        CorruptionTestImages.AssertIdenticalWhere(result.Corrupted, clean, result.Mask.eq(0));
        Assert.False(CorruptionTestImages.Same(result.Corrupted, clean));
        var again = Run();
        Assert.True(CorruptionTestImages.Same(result.Corrupted, again.Corrupted) && CorruptionTestImages.Same(result.Mask, again.Mask));
    }
}

/// <summary>The same seed gives the same corruption on CUDA as on the CPU (all draws come from the CPU generator).</summary>
public class CorruptionDeviceTests
{
    [MedAnomaly.Tests.Runtime.CudaFact]
    public void EveryCorruptionGivesTheCpuResultOnCuda()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.PhantomSlices(2);
        foreach (var entry in CorruptionRegistry.All)
        {
            CorruptionResult Run(Tensor images)
            {
                using var rng = new Generator(23);
                return entry.Create().Apply(images, null, rng);
            }
            var (cpu, gpu) = (Run(clean), Run(clean.cuda()));
            Assert.Equal(DeviceType.CUDA, gpu.Corrupted.device_type);
            Assert.True(cpu.Corrupted.allclose(gpu.Corrupted.cpu(), rtol: 1e-5, atol: 1e-5), entry.Name);
            Assert.True(cpu.Mask.allclose(gpu.Mask.cpu(), rtol: 1e-5, atol: 1e-6), entry.Name);
            Assert.True(cpu.Severity.allclose(gpu.Severity.cpu(), rtol: 1e-5, atol: 1e-6), entry.Name);
        }
    }
}
