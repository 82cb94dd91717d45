using MedAnomaly.Corruptions;
using MedAnomaly.Diffusion;
using MedAnomaly.Methods;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Methods;

public class DisyreTests
{
    /// <summary>The tiny network with the published 64-pixel anomaly box and 64×64 crops.</summary>
    static DisyreConfig Tiny64 => DisyreConfig.Tiny with { CropSize = 64, AnomalyBox = 64 };

    /// <summary>A disc of random texture on a zero background, [n,1,size,size].</summary>
    static Tensor Slices(int n, int size, ulong seed)
    {
        var x = torch.rand([n, 1, size, size], generator: new Generator(seed)) * 0.8 + 0.1;
        var r = torch.arange(size, ScalarType.Float32) - (size - 1) / 2f;
        var inside = (r.square().unsqueeze(1) + r.square().unsqueeze(0)).lt(size * size * 0.18f);
        return x * inside.to(ScalarType.Float32);
    }

    [Theory]
    [InlineData(DisyreCorruption.Dag)]
    [InlineData(DisyreCorruption.Fpi)]
    public void ObjectiveGivesAFiniteScalarLossAndGradients(DisyreCorruption corruption)
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new Disyre(Tiny64 with { Corruption = corruption });
        var images = Slices(3, 64, 1);
        var loss = detector.Loss(images, images.gt(0).to(ScalarType.Float32), torch.zeros(images.size(0), ScalarType.Int64), new Generator(2));
        Assert.Equal(0, loss.ndim);
        Assert.True(float.IsFinite(loss.item<float>()) && loss.item<float>() > 0);
        loss.backward();
        var grads = detector.Network.parameters().Select(p => p.grad).ToList();
        Assert.All(grads, g => Assert.True(g is not null && g.isfinite().all().item<bool>()));
        Assert.Contains(grads, g => g!.abs().sum().item<float>() > 0);
    }

    [Theory]
    [InlineData(SeverityOrder.CleanAtZero)]
    [InlineData(SeverityOrder.AsPublished)]
    public void ObjectiveRestoresTheCleanImageFromTheCorruptionAtItsSeverityTimestep(SeverityOrder order)
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new Disyre(Tiny64 with { SeverityOrder = order });
        var images = Slices(2, 64, 3);
        var loss = detector.Loss(images, images, torch.zeros(images.size(0), ScalarType.Int64), new Generator(5)).item<float>();

        // The same draws by hand: DAG corruption, t = SeverityToTimestep(α), MSE(net(x_c, t), x).
        using var corrupted = new Dag().Apply(images, null, new Generator(5));
        using var schedule = NoiseSchedule.Disyre();
        var t = SeverityToTimestep.Map(corrupted.Severity, schedule, order);
        float expected;
        using (torch.no_grad()) expected = F.mse_loss(detector.Network.forward(corrupted.Corrupted, t), images).item<float>();
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void RandomCropTakesCropSizedWindowsOfEachImage()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.arange(2 * 80 * 70, ScalarType.Float32).reshape(2, 1, 80, 70);
        var crops = Disyre.RandomCrop(images, 64, new Generator(1));
        Assert.Equal(new long[] { 2, 1, 64, 64 }, crops.shape);
        for (int i = 0; i < 2; i++)
        {
            float first = crops[i, 0, 0, 0].item<float>() - i * 80 * 70;
            long top = (long)first / 70, left = (long)first % 70;
            Assert.True(top <= 16 && left <= 6);
            Assert.Equal(images[i].narrow(1, top, 64).narrow(2, left, 64).ToArray<float>(), crops[i].ToArray<float>());
        }
        Assert.Equal(new long[] { 1, 1, 32, 32 }, Disyre.RandomCrop(torch.zeros([1, 1, 32, 32]), 64, new Generator(1)).shape);
    }

    /// <summary>net(x, t) = (0.5 + t/200)·x: map = mean over t ∈ {99, 74, 49, 24} of |0.5 − t/200|·x = 0.1925·x.</summary>
    [Fact]
    public void MeanSingleStepIsTheMeanResidualOverTheTrailingSteps()
    {
        using var scope = torch.NewDisposeScope();
        var images = Slices(2, 32, 4);
        var seen = new List<long>();
        Tensor Toy(Tensor x, Tensor t)
        {
            seen.Add(t[0].item<long>());
            Assert.True(t.ToArray<long>().All(v => v == t[0].item<long>()));
            return (0.5f + t.to(ScalarType.Float32) / 200f).view(-1, 1, 1, 1) * x;
        }
        var (map, restored) = Disyre.Residual(Toy, Tiny64, images);
        Assert.Equal(new long[] { 99, 74, 49, 24 }, seen);
        double factor = new[] { 99, 74, 49, 24 }.Average(t => Math.Abs(0.5 - t / 200.0));
        Assert.Equal(0.1925, factor, 12);
        var expected = (images * (float)factor).ToArray<float>();
        var got = map.ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 1e-6, $"pixel {i}: {expected[i]} vs {got[i]}");
        var restoration = (images * (float)new[] { 99, 74, 49, 24 }.Average(t => 0.5 + t / 200.0)).ToArray<float>();
        var gotRestoration = restored.ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(restoration[i] - gotRestoration[i]) < 1e-6, $"pixel {i}");
    }

    [Fact]
    public void MeanSingleStepUsesTheSlidingWindowOnSlicesLargerThanTheCrop()
    {
        using var scope = torch.NewDisposeScope();
        var images = Slices(1, 96, 5);
        var patchSizes = new List<long>();
        Tensor Toy(Tensor x, Tensor t) { patchSizes.Add(x.size(2)); return 0.5f * x; }
        var (map, _) = Disyre.Residual(Toy, Tiny64, images);
        Assert.All(patchSizes, s => Assert.Equal(64, s));
        Assert.Equal(4 * 2 * 2, patchSizes.Count);   // 4 steps × starts {0, 32}²
        Assert.True((map - 0.5f * images).abs().max().item<float>() < 1e-5f);
    }

    /// <summary>A constant restoration c: the cold-diffusion steps telescope to x + a_99·(c − x), a_99 = √ᾱ_0 = √(1 − 1e-3).</summary>
    [Fact]
    public void MultiStepRestorationTelescopesForAConstantRestoration()
    {
        using var scope = torch.NewDisposeScope();
        var images = Slices(2, 32, 6);
        var config = Tiny64 with { Scoring = DisyreScoring.MultiStepRestoration };
        var (map, _) = Disyre.Residual((x, t) => torch.full_like(x, 0.3f), config, images);
        double a = Math.Sqrt(1 - 1e-3);
        Assert.Equal(a, Disyre.ColdSeverity(99), 12);
        var expected = ((0.3f - images).abs() * (float)a).ToArray<float>();
        var got = map.ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) < 1e-6, $"pixel {i}: {expected[i]} vs {got[i]}");
    }

    [Fact]
    public void ScoringShapesRangesForegroundAndDeterminism()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new Disyre(Tiny64);
        var images = Slices(2, 64, 7);
        var output = detector.Score(images);
        Assert.Equal(new long[] { 2, 1, 64, 64 }, output.Map.shape);
        Assert.Equal(new long[] { 2 }, output.Score.shape);
        Assert.True(output.Map.min().item<float>() >= 0 && output.Map.isfinite().all().item<bool>());   // against the unclamped x̂₀: may exceed 1
        Assert.Equal(0f, (output.Map * images.le(0)).abs().max().item<float>());
        Assert.True(output.Map.sum().item<float>() > 0);
        Assert.Equal(output.Map.ToArray<float>(), detector.Score(images).Map.ToArray<float>());

        var foreground = torch.zeros_like(images);
        foreground[.., .., 32.., ..] = 1;
        Assert.Equal(0f, detector.Score(images, foreground).Map[.., .., ..32, ..].abs().max().item<float>());
        Assert.Throws<ArgumentException>(() => detector.Score(images, foreground[.., .., ..32, ..]));
    }

    [Fact]
    public void SaveLoadKeepsConfigWeightsAndScores()
    {
        using var scope = torch.NewDisposeScope();
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "disyre.safetensors");
        using var detector = new Disyre(Tiny64 with { InferenceSteps = 2, SeverityOrder = SeverityOrder.AsPublished });
        detector.Save(path);
        var header = MedAnomaly.Checkpoints.Safetensors.ReadHeader(path);
        Assert.Equal("disyre", header.Metadata["method"]);
        using var loaded = Disyre.Load(path);
        Assert.Equal(detector.ConfigJson, loaded.ConfigJson);
        Assert.Equal(SeverityOrder.AsPublished, loaded.Config.SeverityOrder);
        var images = Slices(1, 64, 8);
        Assert.Equal(detector.Score(images).Map.ToArray<float>(), loaded.Score(images).Map.ToArray<float>());
        Assert.Throws<InvalidDataException>(() => DdpmDetector.Load(path));
    }

    [Fact]
    public void PaperPresetIsThePublishedNetworkAndOptimiser()
    {
        var paper = DisyreConfig.Paper;
        Assert.Equal(new[] { 32, 64, 96, 128, 256, 256 }, paper.Network.Channels);
        Assert.Equal(2, paper.Network.LayersPerBlock);
        Assert.Equal(128, paper.CropSize);
        Assert.Equal(4, paper.InferenceSteps);
        var training = DisyreConfig.PaperTraining;
        Assert.Equal((1e-4, 0.95, 0.999, 1e-6, 500, 1.0), (training.LearningRate, training.Beta1, training.Beta2, training.WeightDecay, training.WarmupSteps, training.GradientClip));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Disyre(Tiny64 with { InferenceSteps = 101 }));
    }
}
