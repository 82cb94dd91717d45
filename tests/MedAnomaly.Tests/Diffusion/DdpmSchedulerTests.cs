using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>The DDPM step against diffusers' DDPMScheduler.step in numpy float64 (tests/golden/make_diffusion_golden.py).</summary>
public class DdpmSchedulerTests
{
    static readonly long[] Shape = [2, 1, 4, 4];

    [Fact]
    public void StepWithFixedNoiseMatchesDiffusers()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var sample = Golden.Wave(Shape, 0.53, -0.3);
        var z = Golden.Wave(Shape, 2.1, 0.7);
        foreach (var (prediction, variance, t, tPrev, prev, x0) in G.DdpmSteps)
        {
            var config = new DdpmSchedulerConfig { Prediction = Enum.Parse<Prediction>(prediction), Variance = Enum.Parse<DdpmVariance>(variance) };
            var scheduler = new DdpmScheduler(schedule, config);
            var output = config.Prediction == Prediction.Epsilon ? ToyNetworks.Eps(sample, t) : ToyNetworks.X0(sample, t);
            var step = scheduler.Step(output, t, tPrev, sample, varianceNoise: z);
            Golden.AssertClose(prev, step.PrevSample, rtol: 1e-11, atol: 1e-12);
            Golden.AssertClose(x0, step.PredOriginalSample, rtol: 1e-11, atol: 1e-12);
            // float32 follows within float32 rounding
            var step32 = scheduler.Step(output.to(ScalarType.Float32), t, tPrev, sample.to(ScalarType.Float32), varianceNoise: z.to(ScalarType.Float32));
            Assert.Equal(ScalarType.Float32, step32.PrevSample.dtype);
            Golden.AssertClose(prev, step32.PrevSample, rtol: 1e-5, atol: 1e-5);
        }
    }

    [Fact]
    public void ConsecutiveStepMeanIsThePosteriorMean()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        var scheduler = new DdpmScheduler(schedule, new DdpmSchedulerConfig { ClipSample = false });
        var sample = Golden.Wave(Shape, 0.53, -0.3);
        foreach (int t in new[] { 1, 10, 500, 999 })
        {
            var eps = ToyNetworks.Eps(sample, t);
            var step = scheduler.Step(eps, t, t - 1, sample, varianceNoise: torch.zeros_like(sample));
            var tt = torch.full([2], t, ScalarType.Int64);
            var x0 = diffusion.PredictStartFromNoise(sample, tt, eps);
            var (mean, _, _) = diffusion.QPosteriorMeanVariance(x0, sample, tt);
            Golden.AssertClose(mean.ToArray<double>(), step.PrevSample, rtol: 1e-9, atol: 1e-10);
            Golden.AssertClose(x0.ToArray<double>(), step.PredOriginalSample, rtol: 1e-9, atol: 1e-10);
        }
    }

    [Fact]
    public void NoiseComesFromTheGeneratorExceptOnTheLastStep()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var scheduler = new DdpmScheduler(schedule);
        var sample = Golden.Wave(Shape, 0.53, -0.3, ScalarType.Float32);
        var eps = ToyNetworks.Eps(sample, 500);
        Tensor Run(long seed, int t, int tPrev)
        {
            using var g = new Generator((ulong)seed);
            return scheduler.Step(eps, t, tPrev, sample, g).PrevSample;
        }
        Assert.Equal(Run(1, 500, 499).ToArray<float>(), Run(1, 500, 499).ToArray<float>());
        Assert.NotEqual(Run(1, 500, 499).ToArray<float>(), Run(2, 500, 499).ToArray<float>());
        Assert.Equal(Run(1, 0, -1).ToArray<float>(), Run(2, 0, -1).ToArray<float>());
        // the seeded noise is standard normal drawn on the CPU: the same as giving it explicitly
        using var g3 = new Generator(3);
        var z = torch.randn(Shape, generator: g3);
        Assert.Equal(scheduler.Step(eps, 500, 499, sample, varianceNoise: z).PrevSample.ToArray<float>(), Run(3, 500, 499).ToArray<float>());
    }

    [Fact]
    public void BadStepsGetClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Disyre();
        var scheduler = new DdpmScheduler(schedule);
        var x = torch.zeros(Shape);
        Assert.Contains("0 … 99", Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, 100, 99, x)).Message);
        Assert.Contains("tPrev", Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, 50, 50, x)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, 50, -2, x));
        Assert.Contains("modelOutput must have the shape of sample", Assert.Throws<ArgumentException>(() => scheduler.Step(torch.zeros([2, 1, 4, 3]), 50, 49, x)).Message);
        Assert.Contains("varianceNoise", Assert.Throws<ArgumentException>(() => scheduler.Step(x, 50, 49, x, varianceNoise: torch.zeros([1]))).Message);
    }
}
