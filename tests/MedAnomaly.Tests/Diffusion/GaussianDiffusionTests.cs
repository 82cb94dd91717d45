using MedAnomaly.Diffusion;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>The forward process on the linear schedule against numpy float64 (tests/golden/make_diffusion_golden.py).</summary>
public class GaussianDiffusionTests
{
    static readonly long[] Shape = [3, 1, 4, 4];

    [Fact]
    public void QSampleMatchesEquation4()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        var x0 = Golden.Wave(Shape, 0.7, 0.2);
        var noise = Golden.Wave(Shape, 1.3, -0.4);
        var t = torch.tensor(new long[] { 0, 499, 999 });
        Golden.AssertClose(G.QSample, diffusion.QSample(x0, t, noise), rtol: 1e-12, atol: 1e-14);
        var xt32 = diffusion.QSample(x0.to(ScalarType.Float32), t, noise.to(ScalarType.Float32));
        Assert.Equal(ScalarType.Float32, xt32.dtype);
        Golden.AssertClose(G.QSample, xt32, rtol: 1e-6, atol: 1e-6);
        // int32 timesteps are accepted too
        Golden.AssertClose(G.QSample, diffusion.QSample(x0, t.to(ScalarType.Int32), noise), rtol: 1e-12, atol: 1e-14);
    }

    [Fact]
    public void PredictionsInvertEquation4()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        var x0 = Golden.Wave(Shape, 0.7, 0.2);
        var noise = Golden.Wave(Shape, 1.3, -0.4);
        var xt = Golden.Wave(Shape, 0.9, 0.5);
        var t = torch.tensor(new long[] { 1, 500, 999 });
        Golden.AssertClose(G.PredictStartFromNoise, diffusion.PredictStartFromNoise(xt, t, noise), rtol: 1e-11, atol: 1e-12);
        Golden.AssertClose(G.PredictNoiseFromStart, diffusion.PredictNoiseFromStart(xt, t, x0), rtol: 1e-11, atol: 1e-12);
        // round trip: x0 → x_t → x̂0 and ε̂
        var sampled = diffusion.QSample(x0, t, noise);
        Golden.AssertClose(x0.ToArray<double>(), diffusion.PredictStartFromNoise(sampled, t, noise), rtol: 1e-9, atol: 1e-9);
        Golden.AssertClose(noise.ToArray<double>(), diffusion.PredictNoiseFromStart(sampled, t, x0), rtol: 1e-9, atol: 1e-9);
    }

    [Fact]
    public void PosteriorMatchesEquations6And7()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        var x0 = Golden.Wave(Shape, 0.7, 0.2);
        var xt = Golden.Wave(Shape, 0.9, 0.5);
        var t = torch.tensor(new long[] { 1, 500, 999 });
        var (mean, variance, logVariance) = diffusion.QPosteriorMeanVariance(x0, xt, t);
        Golden.AssertClose(G.PosteriorMean, mean, rtol: 1e-12, atol: 1e-14);
        Assert.Equal(new long[] { 3, 1, 1, 1 }, variance.shape);
        Golden.AssertClose(G.PosteriorVariance, variance, rtol: 1e-12, atol: 0);
        Golden.AssertClose(G.PosteriorLogVarianceClipped, logVariance, rtol: 1e-12, atol: 0);
    }

    [Fact]
    public void QSampleHasTheMeanAndSpreadOfEquation4()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        using var generator = new Generator(7);
        var x0 = torch.full([4, 1, 64, 64], 0.5f);
        var t = torch.tensor(new long[] { 0, 250, 600, 999 });
        var xt = diffusion.QSample(x0, t, torch.randn([4, 1, 64, 64], generator: generator));
        var means = xt.mean([1, 2, 3]).ToArray<float>();
        var stds = xt.std([1, 2, 3]).ToArray<float>();
        for (int i = 0; i < 4; i++)
        {
            int step = (int)t[i].item<long>();
            double sigma = schedule.Values.SqrtOneMinusAlphasCumprod[step];
            Assert.True(Math.Abs(means[i] - 0.5 * schedule.Values.SqrtAlphasCumprod[step]) < 5 * sigma / 64, $"mean at t={step}: {means[i]}");
            Assert.True(Math.Abs(stds[i] / sigma - 1) < 0.05, $"std at t={step}: {stds[i]} vs {sigma}");
        }
    }

    [Fact]
    public void BadTimestepsAndShapesGetClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var diffusion = new GaussianDiffusion(schedule);
        var x0 = torch.zeros(Shape);
        var noise = torch.zeros(Shape);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.QSample(x0, torch.tensor(new long[] { 0, 1, 1000 }), noise));
        Assert.Contains("0 … 999", range.Message);
        Assert.Contains("1000", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.QSample(x0, torch.tensor(new long[] { -1, 1, 2 }), noise));
        Assert.Contains("[N] = [3]", Assert.Throws<ArgumentException>(() => diffusion.QSample(x0, torch.tensor(new long[] { 0, 1 }), noise)).Message);
        Assert.Contains("[N] = [3]", Assert.Throws<ArgumentException>(() => diffusion.QSample(x0, torch.zeros([3, 1], ScalarType.Int64), noise)).Message);
        Assert.Contains("integer", Assert.Throws<ArgumentException>(() => diffusion.QSample(x0, torch.tensor(new float[] { 0, 1, 2 }), noise)).Message);
        Assert.Contains("noise must have the shape of x0", Assert.Throws<ArgumentException>(() => diffusion.QSample(x0, torch.tensor(new long[] { 0, 1, 2 }), torch.zeros([3, 1, 4, 5]))).Message);
        Assert.Contains("eps", Assert.Throws<ArgumentException>(() => diffusion.PredictStartFromNoise(x0, torch.tensor(new long[] { 0, 1, 2 }), torch.zeros([1, 1, 4, 4]))).Message);
    }
}
