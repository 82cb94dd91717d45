using TorchSharp;
using static TorchSharp.torch;
using MedAnomaly.Training;
using G = MedAnomaly.Tests.TestSupport.OptimGolden;

using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Checkpoints;
using MedAnomaly.Runtime;

namespace MedAnomaly.Tests.Training;

/// <summary>Exponential moving average against torch_ema's update rule (tests/golden/make_optim_golden.py).</summary>
public class EmaTests
{
    /// <summary>Parameters move by −G each step, then the EMA updates: 5 times, decay 0.9 with warm-up.</summary>
    static (Tensor p1, Tensor p2, ExponentialMovingAverage ema) RunFiveUpdates()
    {
        var p1 = torch.tensor(G.P1, [2, 3], requires_grad: true);
        var p2 = torch.tensor(G.P2, [3], requires_grad: true);
        var ema = new ExponentialMovingAverage([("w", p1), ("b", p2)], decay: 0.9);
        for (int k = 0; k < 5; k++)
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
            {
                p1.add_(torch.tensor(G.G1[k % 3], [2, 3]), alpha: -1);
                p2.add_(torch.tensor(G.G2[k % 3], [3]), alpha: -1);
            }
            ema.Update();
        }
        return (p1, p2, ema);
    }

    [Fact]
    public void UpdateMatchesTorchEma()
    {
        var (p1, p2, ema) = RunFiveUpdates();
        using (p1) using (p2) using (ema)
        {
            Assert.Equal(5, ema.NumUpdates);
            Golden.AssertClose(G.Ema09After5.P1, ema.ShadowParameters[0].ToArray<double>());
            Golden.AssertClose(G.Ema09After5.P2, ema.ShadowParameters[1].ToArray<double>());
            Assert.Same(ema.ShadowParameters[0], ema.state_dict()["w"]);
        }
    }

    [Fact]
    public void WarmUpDecayFollowsOnePlusNOverTenPlusN()
    {
        using var p = torch.zeros([1]);
        using var ema = new ExponentialMovingAverage([p], decay: 0.999);
        Assert.Equal(2.0 / 11.0, ema.NextDecay, 1e-15);
        for (int i = 0; i < 9000; i++) ema.Update(); // (1+n)/(10+n) passes 0.999 at n = 8991
        Assert.Equal(0.999, ema.NextDecay);
        using var plain = new ExponentialMovingAverage([p], decay: 0.999, useNumUpdates: false);
        Assert.Equal(0.999, plain.NextDecay);
    }

    [Fact]
    public void StoreCopyToRestoreSwapsWeights()
    {
        var (p1, p2, ema) = RunFiveUpdates();
        using (p1) using (p2) using (ema)
        {
            var live = p1.ToArray<double>();
            ema.Store();
            ema.CopyTo();
            Golden.AssertClose(G.Ema09After5.P1, p1.ToArray<double>());
            ema.Restore();
            Assert.Equal(live, p1.ToArray<double>());
            Assert.Throws<InvalidOperationException>(() => ema.Restore());
        }
    }

    [Fact]
    public void LoadStateDictChecksNamesAndShapes()
    {
        using var p = torch.zeros([2]);
        using var ema = new ExponentialMovingAverage([("w", p)], decay: 0.9);
        using var good = torch.tensor(new float[] { 3, 4 });
        using var bad = torch.zeros([3]);
        ema.load_state_dict(new Dictionary<string, Tensor> { ["w"] = good });
        Assert.Equal(new float[] { 3, 4 }, ema.ShadowParameters[0].ToArray<float>());
        Assert.Contains("'w'", Assert.Throws<ArgumentException>(() => ema.load_state_dict(new Dictionary<string, Tensor> { ["v"] = good })).Message);
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => ema.load_state_dict(new Dictionary<string, Tensor> { ["w"] = bad })).Message);
    }
}
