using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>Schedule buffers against numpy float64 (tests/golden/make_diffusion_golden.py).</summary>
public class NoiseScheduleTests
{
    public static TheoryData<string> Names => new() { "linear", "cosine", "disyre" };

    static (int[] At, Dictionary<string, double[]> Expected) GoldenOf(string name) => name switch
    {
        "linear" => (G.LinearAt, G.Linear),
        "cosine" => (G.CosineAt, G.Cosine),
        "disyre" => (G.DisyreAt, G.Disyre),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Float64BuffersMatchNumpy(string name)
    {
        using var schedule = ScheduleRegistry.Create(name);
        var (at, expected) = GoldenOf(name);
        Assert.Equal(name == "disyre" ? 100 : 1000, schedule.NumTimesteps);
        foreach (var (buffer, values) in schedule.Values.All())
        {
            Assert.Equal(schedule.NumTimesteps, values.Length);
            Golden.AssertClose(expected[buffer], at.Select(t => values[t]).ToArray(), tol: 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32TensorsAreTheFloat64ValuesCast(string name)
    {
        using var schedule = ScheduleRegistry.Create(name);
        var (at, expected) = GoldenOf(name);
        foreach (var (buffer, tensor) in schedule.Buffers())
        {
            Assert.Equal(ScalarType.Float32, tensor.dtype);
            Assert.Equal(new long[] { schedule.NumTimesteps }, tensor.shape);
            var got = tensor.ToArray<float>();
            for (int i = 0; i < at.Length; i++)
            {
                float want = (float)expected[buffer][i];
                Assert.True(Math.Abs(got[at[i]] - want) <= 2e-7f * Math.Max(1, Math.Abs(want)), $"{name}.{buffer}[{at[i]}]: expected {want:R}, got {got[at[i]]:R}");
            }
        }
    }

    [Fact]
    public void CosineBetasAreClippedOnlyAtTheEnd()
    {
        using var schedule = NoiseSchedule.Cosine();
        var betas = schedule.Values.Betas;
        var clipped = Enumerable.Range(0, betas.Length).Where(t => betas[t] >= 0.999).ToArray();
        Assert.Equal(G.CosineClippedAt, clipped);
        Assert.All(clipped, t => Assert.Equal(0.999, betas[t]));
        Assert.Equal(G.CosineLargestUnclippedBeta, betas.Where(b => b < 0.999).Max(), 1e-12);
        // without the cap the last β would be 1 (ᾱ(1) = 0) and ᾱ_{T−1} = 0
        using var capped = NoiseSchedule.Cosine(maxBeta: 0.5);
        Assert.Equal(0.5, capped.Values.Betas.Max());
        Assert.True(capped.Values.Betas.Count(b => b == 0.5) > 1);
    }

    [Fact]
    public void DisyreScheduleHasThePublishedSqrtAlphaBar()
    {
        using var schedule = NoiseSchedule.Disyre();
        var s = schedule.Values.SqrtAlphasCumprod;
        // The cosine schedule (Nichol & Dhariwal 2021, eq. 17) at T = 100, as DISYRE trains: √ᾱ ≈ 0.9995 at t = 0, 0.61 at t = 30, 0.26 at t = 50, 0.0045 at t = 99
        Assert.Equal(0.9995, s[0], 4);
        Assert.Equal(0.61, s[30], 2);
        Assert.Equal(0.26, s[50], 2);
        Assert.Equal(0.0045, s[99], 4);
    }

    [Fact]
    public void RegistryPrintsOneLinePerScheduleAndRejectsUnknownNames()
    {
        var lines = ScheduleRegistry.Describe().Split(Environment.NewLine);
        Assert.Equal(new[] { "linear", "cosine", "disyre" }, ScheduleRegistry.Entries.Select(e => e.Name));
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length > 30, l));
        Assert.StartsWith("disyre", lines[2]);
        using (var schedule = ScheduleRegistry.Create("Cosine")) Assert.Equal("cosine", schedule.Name);
        var error = Assert.Throws<ArgumentException>(() => ScheduleRegistry.Create("quadratic"));
        Assert.Contains("'quadratic'", error.Message);
        Assert.Contains("linear, cosine, disyre", error.Message);
    }

    [Fact]
    public void BuffersOutliveTheDisposeScopeTheyWereMadeIn()
    {
        NoiseSchedule schedule;
        using (var scope = torch.NewDisposeScope()) schedule = NoiseSchedule.Linear();
        using (schedule)
        {
            Assert.False(schedule.AlphasCumprod.IsInvalid);
            Assert.Equal((float)schedule.Values.AlphasCumprod[10], schedule.AlphasCumprod[10].item<float>());
        }
        Assert.True(schedule.AlphasCumprod.IsInvalid);
    }

    [Fact]
    public void ToMakesAnIndependentCopyOnTheDevice()
    {
        using var schedule = NoiseSchedule.Disyre();
        using var copy = schedule.To(torch.CPU);
        Assert.NotSame(schedule.Betas, copy.Betas);
        Assert.Equal(schedule.Betas.ToArray<float>(), copy.Betas.ToArray<float>());
        Assert.Equal(DeviceType.CPU, copy.Betas.device_type);
        copy.Dispose();
        Assert.False(schedule.Betas.IsInvalid);
    }

    [Fact]
    public void BadBetasAreRejected()
    {
        Assert.Contains("beta[1]", Assert.Throws<ArgumentException>(() => NoiseSchedule.FromBetas("bad", [0.1, 1.0, 0.2])).Message);
        Assert.Contains("beta[0]", Assert.Throws<ArgumentException>(() => NoiseSchedule.FromBetas("bad", [0.0, 0.1])).Message);
        Assert.Contains("beta[0]", Assert.Throws<ArgumentException>(() => NoiseSchedule.FromBetas("bad", [double.NaN, 0.1])).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => NoiseSchedule.FromBetas("bad", [0.1])).Message);
        using var schedule = NoiseSchedule.Disyre();
        Assert.Contains("0 … 99", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.CheckTimestep(100)).Message);
    }
}
