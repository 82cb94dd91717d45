using MedAnomaly.Diffusion;
using MedAnomaly.Methods;
using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Methods;

/// <summary>Wolleb et al. 2022: the guided DDIM step, the DDIM encoding and a whole translation against Algorithm 1 computed
/// with PyTorch (tests/golden/make_wolleb_golden.py: toy networks, float64), and the joint objective against its draws.</summary>
public class WollebTests
{
    const double Scale = 100;   // the published s on BraTS

    // The golden script's inputs and toy networks (its docstring).
    static Tensor X => 0.9 * Golden.Wave([2, 2, 4, 4], 0.37, 0.1);
    static Tensor Epsilon(Tensor x, Tensor t) => 0.3 * x + 0.2 * x.sin() * T(t, x) / 1000;
    static Tensor Classifier(Tensor x, Tensor t)
    {
        var a = Golden.Wave([2, 4, 4], 0.11, 0.5).to(x.dtype);
        var b = 0.05 * Golden.Wave([2, 4, 4], 0.23, 0.0).to(x.dtype);
        var healthy = (a * x.sin()).sum([1, 2, 3]) * (1 + T(t, x).flatten() / 1000);
        var diseased = (b * x * x).sum([1, 2, 3]);
        return torch.stack([healthy, diseased], 1);
    }
    static Tensor T(Tensor t, Tensor like) => t.to(like.dtype).view(-1, 1, 1, 1);

    static DdimScheduler Sampler(NoiseSchedule schedule) => new(schedule, new DdimSchedulerConfig { Prediction = Prediction.Epsilon, ClipSample = false });

    [Fact]
    public void GuidedStepIsAlgorithm1sDecodingUpdate()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        Golden.AssertClose(WollebGolden.GuidedStep499To449, ClassifierGuidance.Step(Epsilon, Classifier, X, 499, 449, Scale, Wolleb.Healthy, Sampler(schedule)));
        Golden.AssertClose(WollebGolden.GuidedStep24ToClean, ClassifierGuidance.Step(Epsilon, Classifier, X, 24, -1, Scale, Wolleb.Healthy, Sampler(schedule)));
        Golden.AssertClose(WollebGolden.UnguidedStep499To449, ClassifierGuidance.Step(Epsilon, Classifier, X, 499, 449, 0, Wolleb.Healthy, Sampler(schedule)));
    }

    [Fact]
    public void GuidanceGradientIsThatOfTheHealthyLogProbability()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.full([2], 499, ScalarType.Int64);
        using var noGrad = torch.no_grad();   // scoring's mode: the gradient is taken anyway
        Golden.AssertClose(WollebGolden.GradLogHealthy499, ClassifierGuidance.LogProbabilityGradient(Classifier, X, t, Wolleb.Healthy));
    }

    [Fact]
    public void EncodingStepIsAlgorithm1sEncodingUpdate()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        Golden.AssertClose(WollebGolden.EncodeCleanTo0, DdimInversion.Step(Epsilon, X, -1, 0, schedule));
        Golden.AssertClose(WollebGolden.Encode249To499, DdimInversion.Step(Epsilon, X, 249, 499, schedule));
        Assert.Throws<ArgumentOutOfRangeException>(() => DdimInversion.Step(Epsilon, X, 499, 249, schedule));
    }

    [Fact]
    public void TranslationEncodesToLAndDecodesWithGuidance()
    {
        using var scope = torch.NewDisposeScope();
        using var schedule = NoiseSchedule.Linear();
        var channels2 = new UNet2dConfig { InChannels = 2, OutChannels = 2, Channels = [16, 32], AttentionLevels = [1] };
        var config = WollebConfig.Tiny with { Network = channels2, Classifier = channels2, NoiseLevel = 500, InferenceSteps = 2, GuidanceScale = Scale };
        var images = (X + 1) / 2;   // timesteps 499, 249 (trailing over 0 … L − 1)
        Golden.AssertClose(WollebGolden.Translate500In2Steps, Wolleb.Translate(Epsilon, Classifier, config, schedule, images));
    }

    /// <summary>The joint objective is the DDPM's ε-MSE plus the classifier's cross-entropy on images noised with their own
    /// draws, in that order: t, ε, then t′, ε′.</summary>
    [Fact]
    public void ObjectiveIsTheEpsilonMsePlusTheNoisedClassifiersCrossEntropy()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = new Wolleb(WollebConfig.Tiny);
        var images = torch.rand([3, 1, 32, 32], generator: new Generator(4));
        var labels = torch.tensor(new long[] { 0, 1, 1 });
        var loss = detector.Loss(images, images.gt(0).to(ScalarType.Float32), labels, new Generator(9)).item<float>();

        var rng = new Generator(9);
        using var schedule = NoiseSchedule.Linear();
        var x0 = images * 2 - 1;
        Tensor Noised(out Tensor t, out Tensor eps)
        {
            t = torch.randint(0, 1000, [3], ScalarType.Int64, generator: rng);
            eps = torch.randn([3, 1, 32, 32], generator: rng);
            var ab = t.ToArray<long>().Select(k => schedule.Values.AlphasCumprod[k]).ToArray();
            return torch.tensor(ab.Select(a => (float)Math.Sqrt(a)).ToArray(), [3, 1, 1, 1]) * x0
                 + torch.tensor(ab.Select(a => (float)Math.Sqrt(1 - a)).ToArray(), [3, 1, 1, 1]) * eps;
        }
        var xt = Noised(out var t, out var noise);
        var xc = Noised(out var tc, out _);
        float expected;
        using (torch.no_grad())
            expected = (F.mse_loss(detector.Network.Diffusion.forward(xt, t), noise) + F.cross_entropy(detector.Network.Classifier.forward(xc, tc), labels)).item<float>();
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void BothNetworksAreOneModuleThatSavesAndLoads()
    {
        using var detector = new Wolleb(WollebConfig.Tiny);
        var names = detector.Network.state_dict().Keys.ToList();
        Assert.Contains(names, n => n.StartsWith("diffusion."));
        Assert.Contains(names, n => n.StartsWith("classifier.head."));
        Assert.Equal(Supervision.ImageLabels, detector.Supervision);
    }

    [Fact]
    public void ConfigIsValidatedBeforeANetworkIsBuilt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Wolleb(WollebConfig.Tiny with { NoiseLevel = 1001 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Wolleb(WollebConfig.Tiny with { InferenceSteps = 501 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Wolleb(WollebConfig.Tiny with { GuidanceScale = -1 }));
        var fourChannels = WollebConfig.Tiny.Network with { InChannels = 4, OutChannels = 4 };
        Assert.Contains("Classifier.InChannels", Assert.Throws<ArgumentException>(() => new Wolleb(WollebConfig.Tiny with { Network = fourChannels })).Message);
        Assert.Contains("time-conditioned", Assert.Throws<ArgumentException>(() =>
            new Wolleb(WollebConfig.Tiny with { Classifier = WollebConfig.Tiny.Classifier with { TimeConditioned = false } })).Message);
    }
}
