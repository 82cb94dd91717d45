using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>The DDIM step and a full loop against diffusers' DDIMScheduler.step in numpy float64 (tests/golden/make_diffusion_golden.py).</summary>
public class DdimSchedulerTests
{
    static readonly long[] Shape = [2, 1, 4, 4];

    /// <summary>The denoising loop as a pipeline writes it: predict, step, repeat.</summary>
    static Tensor Loop(DdimScheduler scheduler, Func<Tensor, Tensor, Tensor> network, Tensor xT, int[] timesteps)
    {
        var x = xT;
        for (int i = 0; i < timesteps.Length; i++)
        {
            var t = torch.full([xT.size(0)], timesteps[i], ScalarType.Int64);
            x = scheduler.Step(network(x, t), timesteps[i], InferenceTimesteps.Previous(timesteps, i), x).PrevSample;
        }
        return x;
    }

    [Fact]
    public void TenStepDeterministicLoopsMatchDiffusers()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var xT = 1.5 * Golden.Wave(Shape, 0.37, 0.11);
        foreach (var (name, spacing, prediction, clip, useClipped, expected) in G.DdimLoops)
        {
            var config = new DdimSchedulerConfig { Prediction = Enum.Parse<Prediction>(prediction), ClipSample = clip, UseClippedModelOutput = useClipped };
            var scheduler = new DdimScheduler(schedule, config);
            Func<Tensor, Tensor, Tensor> network = config.Prediction == Prediction.Epsilon ? ToyNetworks.Eps : ToyNetworks.X0;
            var timesteps = InferenceTimesteps.Spaced(1000, 10, Enum.Parse<TimestepSpacing>(spacing));
            var result = Loop(scheduler, network, xT, timesteps);
            try { Golden.AssertClose(expected, result, rtol: 1e-10, atol: 1e-11); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"{name}: {e.Message}"); }
            var result32 = Loop(scheduler, network, xT.to(ScalarType.Float32), timesteps);
            Golden.AssertClose(expected, result32, rtol: 1e-4, atol: 1e-5);
        }
    }

    [Fact]
    public void SingleStepsWithEtaMatchDiffusers()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var sample = Golden.Wave(Shape, 0.53, -0.3);
        var z = Golden.Wave(Shape, 2.1, 0.7);
        foreach (var (prediction, eta, t, tPrev, expected) in G.DdimSteps)
        {
            var config = new DdimSchedulerConfig { Prediction = Enum.Parse<Prediction>(prediction), Eta = eta };
            var output = config.Prediction == Prediction.Epsilon ? ToyNetworks.Eps(sample, t) : ToyNetworks.X0(sample, t);
            var step = new DdimScheduler(schedule, config).Step(output, t, tPrev, sample, varianceNoise: z);
            Golden.AssertClose(expected, step.PrevSample, rtol: 1e-11, atol: 1e-12);
        }
    }

    [Fact]
    public void EtaOneIsTheDdpmStep()
    {
        // σ_t(η = 1)² = β̃ and the DDIM mean equals the posterior mean: DDIM with η = 1 is DDPM (Song et al. §4.1)
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Cosine();
        var sample = Golden.Wave(Shape, 0.53, -0.3);
        var z = Golden.Wave(Shape, 2.1, 0.7);
        var ddim = new DdimScheduler(schedule, new DdimSchedulerConfig { Eta = 1, ClipSample = false });
        var ddpm = new DdpmScheduler(schedule, new DdpmSchedulerConfig { ClipSample = false });
        foreach (var (t, tPrev) in new[] { (999, 998), (500, 400), (20, 0) })
        {
            var eps = ToyNetworks.Eps(sample, t);
            Golden.AssertClose(ddpm.Step(eps, t, tPrev, sample, varianceNoise: z).PrevSample.ToArray<double>(),
                ddim.Step(eps, t, tPrev, sample, varianceNoise: z).PrevSample, rtol: 1e-9, atol: 1e-10);
        }
    }

    [Fact]
    public void EtaZeroIgnoresTheGeneratorAndEtaOneUsesIt()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var sample = Golden.Wave(Shape, 0.53, -0.3, ScalarType.Float32);
        var eps = ToyNetworks.Eps(sample, 500);
        float[] Run(double eta, ulong seed)
        {
            using var g = new Generator(seed);
            return new DdimScheduler(schedule, new DdimSchedulerConfig { Eta = eta }).Step(eps, 500, 480, sample, g).PrevSample.ToArray<float>();
        }
        Assert.Equal(Run(0, 1), Run(0, 2));
        Assert.Equal(Run(1, 1), Run(1, 1));
        Assert.NotEqual(Run(1, 1), Run(1, 2));
        Assert.Contains("η", Assert.Throws<ArgumentOutOfRangeException>(() => new DdimScheduler(schedule, new DdimSchedulerConfig { Eta = -0.1 })).Message);
        Assert.Contains("clipping range", Assert.Throws<ArgumentOutOfRangeException>(() => new DdimScheduler(schedule, new DdimSchedulerConfig { ClipRange = 0 })).Message);
        Assert.Contains("clipping range", Assert.Throws<ArgumentOutOfRangeException>(() => new DdpmScheduler(schedule, new DdpmSchedulerConfig { ClipRange = double.NaN })).Message);
    }
}
