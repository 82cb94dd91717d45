using MedAnomaly.Torch;
using G = MedAnomaly.Tests.Torch.OptimGolden;

namespace MedAnomaly.Tests.Torch;

/// <summary>torch.nn.utils.clip_grad_norm_ against PyTorch 1.13 (tests/golden/make_optim_golden.py).</summary>
public class ClipGradTests
{
    static void Check(double maxNorm, double normType, (double Total, double[] G1, double[] G2) expected)
    {
        using var scope = torch.NewDisposeScope();
        var p1 = torch.tensor(G.P1, [2, 3], requires_grad: true);
        var p2 = torch.tensor(G.P2, [3], requires_grad: true);
        var p3 = torch.zeros([2], ScalarType.Float64).requires_grad_(); // requires grad but gets none: ignored
        Assert.True(p3.requires_grad);
        ((p1 * torch.tensor(G.G1[0], [2, 3])).sum() + (p2 * torch.tensor(G.G2[0], [3])).sum()).backward();
        double total = torch.nn.utils.clip_grad_norm_([p1, p2, p3], maxNorm, normType);
        Assert.Equal(expected.Total, total, 1e-12);
        OptimTests.AssertClose(expected.G1, p1.grad!.ToArray<double>());
        OptimTests.AssertClose(expected.G2, p2.grad!.ToArray<double>());
        Assert.Null(p3.grad);
    }

    [Fact] public void TwoNormClipsToMaxNorm() => Check(0.5, 2, G.Clip2);
    [Fact] public void InfinityNormUsesLargestMagnitude() => Check(0.25, double.PositiveInfinity, G.ClipInf);
    [Fact] public void SmallNormIsLeftUnchanged() => Check(100, 1, G.Clip1NoOp);

    [Fact]
    public void NoGradientsGiveZeroAndBadArgumentsThrow()
    {
        using var p = torch.zeros([2]).requires_grad_();
        Assert.Equal(0, torch.nn.utils.clip_grad_norm_([p], 1.0));
        Assert.Throws<ArgumentException>(() => torch.nn.utils.clip_grad_norm_([p], -1.0));
        Assert.Throws<ArgumentException>(() => torch.nn.utils.clip_grad_norm_([p], 1.0, norm_type: 0));
    }
}
