using MedAnomaly.Corruptions;
using MedAnomaly.Diffusion;
using MedAnomaly.Methods;
using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Methods;

public class DdpmDetectorTests
{
    static Tensor Slices(int n, int size, ulong seed)
    {
        var x = torch.rand([n, 1, size, size], generator: new Generator(seed));
        x[.., .., ..4, ..] = 0;   // a background band
        return x;
    }

    [Theory]
    [InlineData(DiffusionNoise.Gaussian)]
    [InlineData(DiffusionNoise.Simplex)]
    public void ObjectiveGivesAFiniteScalarLossAndGradients(DiffusionNoise noise)
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new DdpmDetector(DdpmConfig.Tiny with { Noise = noise });
        var images = Slices(3, 32, 1);
        var loss = detector.Loss(images, images.gt(0).to(ScalarType.Float32), torch.zeros(images.size(0), ScalarType.Int64), new Generator(7));
        Assert.Equal(0, loss.ndim);
        Assert.True(float.IsFinite(loss.item<float>()) && loss.item<float>() > 0);
        loss.backward();
        var grads = detector.Network.parameters().Select(p => p.grad).ToList();
        Assert.All(grads, g => Assert.True(g is not null && g.isfinite().all().item<bool>()));
        Assert.Contains(grads, g => g!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ObjectiveIsTheEpsilonMseOfAlgorithm1()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new DdpmDetector(DdpmConfig.Tiny);
        var images = Slices(2, 32, 2);
        var loss = detector.Loss(images, images, torch.zeros(images.size(0), ScalarType.Int64), new Generator(11)).item<float>();

        // The same draws by hand: t ~ U{0…T−1}, then ε ~ N(0, I); x_t = √ᾱ_t (2x − 1) + √(1 − ᾱ_t) ε.
        var rng = new Generator(11);
        var t = torch.randint(0, 1000, [2], ScalarType.Int64, generator: rng);
        var eps = torch.randn([2, 1, 32, 32], generator: rng);
        using var schedule = NoiseSchedule.Linear();
        var ab = schedule.Values.AlphasCumprod;
        var tt = t.ToArray<long>();
        var scale = torch.tensor(tt.Select(k => (float)Math.Sqrt(ab[k])).ToArray(), [2, 1, 1, 1]);
        var sigma = torch.tensor(tt.Select(k => (float)Math.Sqrt(1 - ab[k])).ToArray(), [2, 1, 1, 1]);
        var xt = scale * (images * 2 - 1) + sigma * eps;
        float expected;
        using (torch.no_grad()) expected = F.mse_loss(detector.Network.forward(xt, t), eps).item<float>();
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void DdimWithAPerfectEpsilonOracleReturnsTheImage()
    {
        using var scope = torch.NewDisposeScope();
        var config = DdpmConfig.Gaussian with { TStart = 250, InferenceSteps = 10 };
        using var schedule = NoiseSchedule.Linear();
        var images = Slices(2, 16, 3).to(ScalarType.Float64);
        var x = images * 2 - 1;
        // The ε that makes x_t from x: (x_t − √ᾱ_t x)/√(1 − ᾱ_t), closed form (Ho et al. eq. 4 solved for ε).
        Tensor Oracle(Tensor xt, Tensor t)
        {
            var k = (int)t[0].item<long>();
            return (xt - Math.Sqrt(schedule.Values.AlphasCumprod[k]) * x) / Math.Sqrt(1 - schedule.Values.AlphasCumprod[k]);
        }
        var reconstruction = DdpmDetector.Reconstruct(Oracle, config, schedule, images);
        Assert.True((reconstruction - images).abs().max().item<double>() < 1e-9);
    }

    [Theory]
    [InlineData(ReverseSampler.Ddim, DiffusionNoise.Gaussian)]
    [InlineData(ReverseSampler.Ddpm, DiffusionNoise.Simplex)]
    public void ScoringShapesRangesAndForeground(ReverseSampler sampler, DiffusionNoise noise)
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new DdpmDetector(DdpmConfig.Tiny with { Sampler = sampler, Noise = noise, TStart = 20, InferenceSteps = 4 });
        var images = Slices(2, 32, 4);
        var output = detector.Score(images);
        Assert.Equal(new long[] { 2, 1, 32, 32 }, output.Map.shape);
        Assert.Equal(new long[] { 2 }, output.Score.shape);
        Assert.Equal(new long[] { 2, 1, 32, 32 }, output.Reconstruction!.shape);
        Assert.True(output.Map.min().item<float>() >= 0 && output.Map.max().item<float>() <= 1);
        Assert.True(output.Reconstruction.min().item<float>() >= 0 && output.Reconstruction.max().item<float>() <= 1);
        Assert.Equal(0f, output.Map[.., .., ..4, ..].abs().max().item<float>());           // background (x = 0) zeroed
        Assert.True(output.Map.sum().item<float>() > 0);
        Assert.True((output.Map.mean([1, 2, 3]) - output.Score).abs().max().item<float>() < 1e-7f);   // the image score: mean over the slice

        var foreground = torch.zeros_like(images);
        foreground[.., .., 16.., ..] = 1;
        var masked = detector.Score(images, foreground);
        Assert.Equal(0f, masked.Map[.., .., ..16, ..].abs().max().item<float>());
    }

    [Fact]
    public void ScoringIsDeterministicUnderItsSeed()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new DdpmDetector(DdpmConfig.Tiny with { TStart = 30, InferenceSteps = 3 });
        var images = Slices(1, 32, 5);
        var a = detector.Score(images).Map.ToArray<float>();
        var b = detector.Score(images).Map.ToArray<float>();
        Assert.Equal(a, b);
        using var reseeded = new DdpmDetector(detector.Config with { ScoringSeed = 1 });
        reseeded.Network.load_state_dict(detector.Network.state_dict());
        Assert.NotEqual(a, reseeded.Score(images).Map.ToArray<float>());
    }

    [Fact]
    public void SaveLoadKeepsConfigWeightsAndScores()
    {
        using var scope = torch.NewDisposeScope();
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "ddpm.safetensors");
        using var detector = new DdpmDetector(DdpmConfig.AnoDdpm with { Network = DdpmConfig.Tiny.Network, TStart = 10, InferenceSteps = 3 });
        detector.Save(path);
        var header = MedAnomaly.Checkpoints.Safetensors.ReadHeader(path);
        Assert.Equal("ddpm", header.Metadata["method"]);
        Assert.Contains("\"Noise\":\"Simplex\"", header.Metadata["config"]);
        using var loaded = DdpmDetector.Load(path);
        Assert.Equal(detector.ConfigJson, loaded.ConfigJson);
        var images = Slices(1, 32, 6);
        Assert.Equal(detector.Score(images).Map.ToArray<float>(), loaded.Score(images).Map.ToArray<float>());
        Assert.Throws<InvalidDataException>(() => Disyre.Load(path));
    }

    [Fact]
    public void BadConfigAndInputAreNamed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdpmDetector(DdpmConfig.Tiny with { TStart = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdpmDetector(DdpmConfig.Tiny with { TStart = 10, InferenceSteps = 12 }));
        Assert.Throws<ArgumentException>(() => new DdpmDetector(DdpmConfig.Tiny with { Network = DdpmConfig.Tiny.Network with { TimeConditioned = false } }));
        var scale = Assert.Throws<ArgumentOutOfRangeException>(() => new DdpmDetector(DdpmConfig.Tiny with { Simplex = new SimplexNoise(Scale: 0) }));
        Assert.Equal("Scale", scale.ParamName);   // refused even while the noise is Gaussian: a stored config holds no unusable field
        using var scope = torch.NewDisposeScope();
        using var detector = new DdpmDetector(DdpmConfig.Tiny);
        Assert.Throws<ArgumentException>(() => detector.Score(torch.zeros([2, 3, 32, 32])));
    }
}
