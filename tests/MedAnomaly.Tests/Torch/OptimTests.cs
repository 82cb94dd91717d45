using MedAnomaly.Torch;
using MedAnomaly.Torch.Optim;
using G = MedAnomaly.Tests.Torch.OptimGolden;

namespace MedAnomaly.Tests.Torch;

/// <summary>Optimizers against PyTorch 1.13 (tests/golden/make_optim_golden.py): 3 steps on float64 parameters.</summary>
public class OptimTests
{
    internal static void AssertClose(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Runs 3 steps with the golden gradients (delivered through autograd) and checks both parameters.</summary>
    static void RunThreeSteps(Func<Tensor[], Optimizer> make, (double[] P1, double[] P2) expected)
    {
        using var p1 = torch.tensor(G.P1, [2, 3], requires_grad: true);
        using var p2 = torch.tensor(G.P2, [3], requires_grad: true);
        using var opt = make([p1, p2]);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = (p1 * torch.tensor(G.G1[step], [2, 3])).sum() + (p2 * torch.tensor(G.G2[step], [3])).sum();
            loss.backward();
            opt.step();
        }
        AssertClose(expected.P1, p1.ToArray<double>());
        AssertClose(expected.P2, p2.ToArray<double>());
    }

    [Fact] public void SgdPlain() => RunThreeSteps(ps => torch.optim.SGD(ps, lr: 0.1), G.SgdPlain);

    [Fact] public void SgdMomentumDampeningWeightDecay() =>
        RunThreeSteps(ps => torch.optim.SGD(ps, lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01), G.SgdMomentum);

    [Fact] public void SgdNesterov() =>
        RunThreeSteps(ps => torch.optim.SGD(ps, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01), G.SgdNesterov);

    [Fact] public void Adam() => RunThreeSteps(ps => torch.optim.Adam(ps, lr: 1e-3), G.Adam);

    [Fact] public void AdamL2WeightDecayAndAmsgrad() =>
        RunThreeSteps(ps => torch.optim.Adam(ps, lr: 0.1, weight_decay: 0.01, amsgrad: true), G.AdamL2Amsgrad);

    [Fact] public void AdamW() =>
        RunThreeSteps(ps => torch.optim.AdamW(ps, lr: 1e-3, betas: (0.9, 0.999), weight_decay: 0.01), G.AdamW);

    [Fact] public void AdamWWithDisyreSettings() =>
        RunThreeSteps(ps => torch.optim.AdamW(ps, lr: 1e-4, betas: (0.95, 0.999), weight_decay: 1e-6), G.AdamWDisyre);

    [Fact] public void AdamWAmsgradMaximize() =>
        RunThreeSteps(ps => torch.optim.AdamW(ps, lr: 0.1, weight_decay: 0.1, amsgrad: true, maximize: true), G.AdamWAmsgradMaximize);

    [Fact] public void AdamWParameterGroupsKeepTheirOwnLrAndDecay() =>
        RunThreeSteps(ps => torch.optim.AdamW([new ParamGroup([ps[0]], lr: 1e-3, weight_decay: 0.01), new ParamGroup([ps[1]], lr: 1e-2, weight_decay: 0)]),
            G.AdamWGroups);

    [Fact]
    public void ParametersWithoutGradientAreLeftAlone()
    {
        using var p = torch.tensor(new double[] { 1, 2 }, requires_grad: true);
        using var opt = torch.optim.AdamW([p]);
        opt.step();
        Assert.Equal(new double[] { 1, 2 }, p.ToArray<double>());
        using var state = opt.state_dict();
        Assert.Empty(state);
    }

    [Fact]
    public void BadHyperparametersAreRejected()
    {
        using var p = torch.zeros([2]).requires_grad_();
        Assert.Throws<ArgumentException>(() => torch.optim.AdamW([p], lr: -1));
        Assert.Throws<ArgumentException>(() => torch.optim.Adam([p], betas: (1.0, 0.999)));
        Assert.Throws<ArgumentException>(() => torch.optim.SGD([p], lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => torch.optim.SGD([p, p], lr: 0.1));
        Assert.Throws<ArgumentException>(() => torch.optim.SGD(Array.Empty<Tensor>(), lr: 0.1));
    }

    [Fact]
    public void StateDictRoundTripContinuesIdentically()
    {
        // Two steps, save state, load it into a fresh optimizer, take the third step: same as 3 uninterrupted steps.
        using var p1 = torch.tensor(G.P1, [2, 3], requires_grad: true);
        using var p2 = torch.tensor(G.P2, [3], requires_grad: true);
        void Backward(int step)
        {
            using var scope = torch.NewDisposeScope();
            var loss = (p1 * torch.tensor(G.G1[step], [2, 3])).sum() + (p2 * torch.tensor(G.G2[step], [3])).sum();
            loss.backward();
        }
        var first = torch.optim.AdamW([p1, p2], lr: 1e-3, weight_decay: 0.01);
        for (int s = 0; s < 2; s++) { first.zero_grad(); Backward(s); first.step(); }
        var saved = new Dictionary<string, Tensor>();
        using (var state = first.state_dict())
        {
            Assert.Equal(["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.step"],
                state.Keys.Order().ToArray());
            Assert.Equal(2.0, state["state.0.step"].item<double>());
            foreach (var (k, v) in state) saved[k] = v.clone();
        }
        first.Dispose();
        using var second = torch.optim.AdamW([p1, p2], lr: 1e-3, weight_decay: 0.01);
        second.load_state_dict(saved);
        foreach (var t in saved.Values) t.Dispose();
        second.zero_grad(); Backward(2); second.step();
        AssertClose(G.AdamW.P1, p1.ToArray<double>());
        AssertClose(G.AdamW.P2, p2.ToArray<double>());
        Assert.Throws<ArgumentException>(() => second.load_state_dict(new Dictionary<string, Tensor> { ["state.7.exp_avg"] = p1 }));
    }
}

[Collection(GlobalTorchStateCollection.Name)]
public class OptimLeakTests
{
    [Fact]
    public void FiveHundredStepsOnATinyModelLeakNoTensors()
    {
        long before = GlobalTorchStateCollection.SettledCount();
        var gen = new Generator(7);
        var w = torch.randn([4, 2], ScalarType.Float32, generator: gen).requires_grad_();
        var b = torch.zeros([2]).requires_grad_();
        var x = torch.randn([16, 4], ScalarType.Float32, generator: gen);
        var target = torch.randn([16, 2], ScalarType.Float32, generator: gen);
        var opt = torch.optim.AdamW([w, b], lr: 1e-2);
        var schedule = new CosineWithWarmupLR(opt, num_warmup_steps: 50, num_training_steps: 500);
        var ema = new ExponentialMovingAverage([w, b], decay: 0.99);
        double firstLoss = 0, lastLoss = 0;
        for (int step = 0; step < 500; step++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var y = x.matmul(w) + b;
            var loss = ((y - target) * (y - target)).mean();
            loss.backward();
            torch.nn.utils.clip_grad_norm_([w, b], 1.0);
            opt.step();
            schedule.Step();
            ema.Update();
            if (step == 0) firstLoss = loss.item<double>();
            lastLoss = loss.item<double>();
        }
        Assert.True(lastLoss < 0.8 * firstLoss, $"training did not reduce the loss: {firstLoss} → {lastLoss}");
        ema.Store();
        ema.CopyTo();
        ema.Restore();
        using (var state = opt.state_dict()) Assert.Equal("state.0.exp_avg state.0.exp_avg_sq state.0.step state.1.exp_avg state.1.exp_avg_sq state.1.step", string.Join(" ", state.Keys.Order()));
        ema.Dispose();
        opt.Dispose();
        foreach (var t in new[] { w, b, x, target }) t.Dispose();
        gen.Dispose();
        Assert.Equal(before, torch.LiveTensorCount);
    }
}
