using MedAnomaly.Torch;
using MedAnomaly.Torch.Optim;
using G = MedAnomaly.Tests.Torch.OptimGolden;

namespace MedAnomaly.Tests.Torch;

/// <summary>
/// Schedules against PyTorch 1.13's CosineAnnealingLR closed form and LambdaLR driven by transformers'
/// get_cosine_schedule_with_warmup / get_constant_schedule_with_warmup lambdas (tests/golden/make_optim_golden.py).
/// </summary>
public class LrScheduleTests
{
    static void AssertRates(double[] expected, Func<int, double> rate)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            int step = i < G.WarmupSteps.Length && expected.Length == G.WarmupSteps.Length ? G.WarmupSteps[i] : G.CosineSteps[i];
            Assert.True(Math.Abs(expected[i] - rate(step)) <= 1e-15 * Math.Max(1e-4, Math.Abs(expected[i])) + 1e-20,
                $"step {step}: expected {expected[i]:R}, got {rate(step):R}");
        }
    }

    static Optimizer MakeOptimizer(Tensor p, double lr) => torch.optim.AdamW([p], lr: lr);

    [Fact]
    public void CosineAnnealingMatchesPyTorchClosedForm()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var opt = MakeOptimizer(p, 1e-3);
        var s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 20, eta_min: 1e-5);
        Assert.Equal(1e-3, opt.lr);
        AssertRates(G.CosineAnnealing, s.LearningRate);
    }

    [Fact]
    public void CosineWithWarmupMatchesTransformers()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var opt = MakeOptimizer(p, 1e-4);
        var s = torch.optim.lr_scheduler.get_cosine_schedule_with_warmup(opt, num_warmup_steps: 500, num_training_steps: 10000);
        Assert.Equal(0.0, opt.lr); // step 0 of the warm-up, as transformers
        AssertRates(G.CosineWithWarmup, s.LearningRate);
    }

    [Fact]
    public void ConstantWithWarmupMatchesTransformers()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var opt = MakeOptimizer(p, 1e-4);
        var s = torch.optim.lr_scheduler.get_constant_schedule_with_warmup(opt, num_warmup_steps: 500);
        AssertRates(G.ConstantWithWarmup, s.LearningRate);
    }

    [Fact]
    public void StepWritesTheRateIntoEveryGroup()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var q = torch.zeros([1]).requires_grad_();
        using var opt = torch.optim.SGD([new ParamGroup([p], lr: 1e-4), new ParamGroup([q], lr: 1e-2)], lr: 1);
        var s = new CosineWithWarmupLR(opt, num_warmup_steps: 500, num_training_steps: 10000);
        for (int i = 0; i < 2750; i++) s.Step();
        Assert.Equal(2750, s.last_step);
        Assert.Equal(G.CosineWithWarmup[Array.IndexOf(G.WarmupSteps, 2750)], opt.param_groups[0].lr, 1e-18);
        Assert.Equal(100 * G.CosineWithWarmup[Array.IndexOf(G.WarmupSteps, 2750)], opt.param_groups[1].lr, 1e-16);
        Assert.Equal([opt.param_groups[0].lr, opt.param_groups[1].lr], s.get_last_lr());
        s.SetStep(0);
        Assert.Equal(0.0, opt.lr);
    }

    [Fact]
    public void LambdaLRMultipliesTheBaseRate()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var opt = MakeOptimizer(p, 0.5);
        var s = torch.optim.lr_scheduler.LambdaLR(opt, step => Math.Pow(0.9, step));
        s.Step(); s.Step();
        Assert.Equal(0.5 * 0.81, opt.lr, 1e-15);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        using var p = torch.zeros([1]).requires_grad_();
        using var opt = MakeOptimizer(p, 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(opt, T_max: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineWithWarmupLR(opt, 10, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupLR(opt, 10).LearningRate(-1));
    }
}
