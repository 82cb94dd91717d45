using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>DISYRE's severity → timestep pairing against its map_alpha_to_timestep in numpy (tests/golden/make_diffusion_golden.py).</summary>
public class SeverityToTimestepTests
{
    [Fact]
    public void MapsAsTheReleasedCodeDoes()
    {
        using var scope = torch.NewDisposeScope();
        var severities = torch.tensor(G.Severities);
        var t = SeverityToTimestep.Map(severities);
        Assert.Equal(ScalarType.Int64, t.dtype);
        Assert.Equal(G.SeverityTimestepsAsPublished, t.ToArray<long>().Select(v => (int)v));
        Assert.Equal(G.SeverityTimestepsCleanAtZero, SeverityToTimestep.Map(severities, order: SeverityOrder.CleanAtZero).ToArray<long>().Select(v => (int)v));
        // float32 severities, an explicit schedule: the same
        using var schedule = NoiseSchedule.Disyre();
        Assert.Equal(G.SeverityTimestepsAsPublished, SeverityToTimestep.Map(severities.to(ScalarType.Float32), schedule).ToArray<long>().Select(v => (int)v));
    }

    [Fact]
    public void DirectionOfTheTwoOrders()
    {
        using var scope = torch.NewDisposeScope();
        var ends = torch.tensor(new double[] { 0, 1 });
        Assert.Equal(new long[] { 99, 0 }, SeverityToTimestep.Map(ends).ToArray<long>());
        Assert.Equal(new long[] { 0, 99 }, SeverityToTimestep.Map(ends, order: SeverityOrder.CleanAtZero).ToArray<long>());
        // the timesteps of DISYRE's 4-step trailing inference and the severities they stand for
        var severities = new[] { 99, 74, 49, 24 }.Select(t => SeverityToTimestep.SeverityAt(t)).ToArray();
        Golden.AssertClose(new[] { 0.004515538700491977, 0.050776275154175717, 0.2723912566831395, 0.7265785465026446 }, severities, tol: 1e-12);
        Assert.Equal(0.999499874937461, SeverityToTimestep.SeverityAt(99, order: SeverityOrder.CleanAtZero), 1e-12);
        // each severity maps back to its own timestep
        foreach (var order in new[] { SeverityOrder.AsPublished, SeverityOrder.CleanAtZero })
        {
            var at = Enumerable.Range(0, 100).Select(t => SeverityToTimestep.SeverityAt(t, order: order)).ToArray();
            Assert.Equal(Enumerable.Range(0, 100).Select(t => (long)t), SeverityToTimestep.Map(torch.tensor(at), order: order).ToArray<long>());
        }
    }

    [Fact]
    public void BadSeveritiesGetClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => SeverityToTimestep.Map(torch.tensor(new[] { 0.5, 1.1 }))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SeverityToTimestep.Map(torch.tensor(new[] { -0.01 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeverityToTimestep.Map(torch.tensor(new[] { double.NaN })));
        Assert.Contains("[N]", Assert.Throws<ArgumentException>(() => SeverityToTimestep.Map(torch.zeros([2, 1]))).Message);
        Assert.Contains("floating", Assert.Throws<ArgumentException>(() => SeverityToTimestep.Map(torch.zeros([2], ScalarType.Int64))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SeverityToTimestep.SeverityAt(100));
        Assert.Equal(0, SeverityToTimestep.Map(torch.zeros([0])).numel());
    }
}
