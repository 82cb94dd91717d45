using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>CoarseNoise against Kascenas et al.'s noise step written out in PyTorch (tests/golden/make_coarse_noise_golden.py):
/// the same draws from one seeded generator, upsample_bilinear (align_corners), roll (5, 11), head mask x &gt; 0.01.</summary>
public class CoarseNoiseTests
{
    [Fact]
    public void ComposeMatchesTheDenoisingAECode()
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator(7);
        var clean = torch.rand([2, 1, 16, 20], generator: g);
        clean[.., .., ..3, ..] = 0;
        var low = 0.2 * torch.randn([2, 1, 4, 4], generator: g);
        var output = CoarseNoise.Compose(clean, low, 5, 11);
        Assert.Equal(263.86972471512854, output.to(ScalarType.Float64).sum().item<double>(), 4);
        Assert.Equal(0.0f, output[0, 0, 0, 0].item<float>());
        Assert.Equal(1.1258833408355713f, output[0, 0, 5, 11].item<float>(), 5);
        Assert.Equal(0.8244063854217529f, output[1, 0, 7, 3].item<float>(), 5);
        Assert.Equal(0.3923240900039673f, output[1, 0, 15, 19].item<float>(), 5);
        Assert.Equal(0.7700842618942261f, output[0, 0, 10, 0].item<float>(), 5);
    }

    [Fact]
    public void ApplyLeavesTheBackgroundAndIsSeeded()
    {
        using var scope = torch.NewDisposeScope();
        var clean = torch.rand([2, 1, 32, 32], generator: new Generator(1));
        clean[.., .., ..8, ..] = 0;
        using var a = new CoarseNoise().Apply(clean, null, new Generator(3));
        using var b = new CoarseNoise().Apply(clean, null, new Generator(3));
        Assert.Equal(a.Corrupted.ToArray<float>(), b.Corrupted.ToArray<float>());
        Assert.Equal(0f, a.Corrupted[.., .., ..8, ..].abs().max().item<float>());
        Assert.True((a.Corrupted - clean).abs().max().item<float>() > 0.01f);
    }
}
