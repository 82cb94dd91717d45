using MedAnomaly.Torch;
using static MedAnomaly.Tests.Torch.Golden;
using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Tests.Torch;

/// <summary>Forward values and gradients against PyTorch 1.13 (tests/golden/make_torch_golden.py), float64.</summary>
public class FunctionalGoldenTests
{
    [Fact]
    public void Conv2dMatchesPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var (y, g) = GradsOf(a => F.conv2d(a[0], a[1], a[2], stride: 1, padding: 1),
            Wave([2, 3, 5, 5], 0.37, 0.0), Wave([4, 3, 3, 3], 0.91, 0.5), Wave([4], 1.3, 0.2));
        AssertClose(TorchGolden.Conv2dOut, y);
        AssertClose(TorchGolden.Conv2dGradX, g[0]);
        AssertClose(TorchGolden.Conv2dGradW, g[1]);
        AssertClose(TorchGolden.Conv2dGradB, g[2]);
    }

    [Fact]
    public void ConvTranspose2dMatchesPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var (y, g) = GradsOf(a => F.conv_transpose2d(a[0], a[1], a[2], stride: 2, padding: 1),
            Wave([2, 4, 3, 3], 0.23, 0.4), Wave([4, 2, 4, 4], 0.57, 0.1), Wave([2], 0.8, 0.3));
        Assert.Equal(new long[] { 2, 2, 6, 6 }, y.shape);
        AssertClose(TorchGolden.ConvT2dOut, y);
        AssertClose(TorchGolden.ConvT2dGradX, g[0]);
        AssertClose(TorchGolden.ConvT2dGradW, g[1]);
        AssertClose(TorchGolden.ConvT2dGradB, g[2]);
    }

    [Fact]
    public void GroupNormMatchesPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var (y, g) = GradsOf(a => F.group_norm(a[0], 3, a[1], a[2], 1e-5),
            Wave([2, 6, 4, 4], 0.41, 0.7) * 3 + 1, Wave([6], 0.9, 1.1), Wave([6], 0.6, 0.2));
        AssertClose(TorchGolden.GroupNormOut, y);
        AssertClose(TorchGolden.GroupNormGradX, g[0]);
        AssertClose(TorchGolden.GroupNormGradW, g[1]);
        AssertClose(TorchGolden.GroupNormGradB, g[2]);
    }

    [Fact]
    public void AttentionMatchesPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var (y, g) = GradsOf(a => F.scaled_dot_product_attention(a[0], a[1], a[2]),
            Wave([2, 3, 5, 4], 0.31, 0.0), Wave([2, 3, 6, 4], 0.47, 0.3), Wave([2, 3, 6, 4], 0.73, 0.9));
        AssertClose(TorchGolden.AttentionOut, y);
        AssertClose(TorchGolden.AttentionGradQ, g[0]);
        AssertClose(TorchGolden.AttentionGradK, g[1]);
        AssertClose(TorchGolden.AttentionGradV, g[2]);
    }

}

[Collection(GlobalTorchStateCollection.Name)]
public class GeneratorGoldenTests
{
    [Fact]
    public void SeededGeneratorsGivePyTorchsNumbers()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(42);
        AssertClose(TorchGolden.Randn42, torch.randn([6], generator: generator), rtol: 1e-7);
        AssertClose(TorchGolden.Rand42Next, torch.rand([4], generator: generator), rtol: 1e-7);
        torch.manual_seed(7);
        AssertClose(TorchGolden.RandnManualSeed7, torch.randn(5), rtol: 1e-7);
    }
}
