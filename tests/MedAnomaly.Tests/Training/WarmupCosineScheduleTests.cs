using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.TestSupport.OptimGolden;

namespace MedAnomaly.Tests.Training;

/// <summary>
/// The warm-up + cosine schedule against transformers' get_cosine_schedule_with_warmup driven by PyTorch
/// 1.13's LambdaLR (tests/golden/make_optim_golden.py): base lr 1e-4, 500 warm-up steps, 10,000 steps.
/// </summary>
public class WarmupCosineScheduleTests
{
    [Fact]
    public void FactorMatchesTransformers()
    {
        for (int i = 0; i < G.WarmupSteps.Length; i++)
        {
            double rate = 1e-4 * WarmupCosineSchedule.Factor(G.WarmupSteps[i], 500, 10000);
            Assert.True(Math.Abs(G.CosineWithWarmup[i] - rate) <= 1e-15 * Math.Max(1e-4, Math.Abs(G.CosineWithWarmup[i])),
                $"step {G.WarmupSteps[i]}: expected {G.CosineWithWarmup[i]:R}, got {rate:R}");
        }
    }

    [Fact]
    public void TorchSharpSchedulerSetsTheOptimizerRate()
    {
        using var p = new TorchSharp.Modules.Parameter(torch.zeros([1]));
        using var opt = optim.AdamW([p], lr: 1e-4);
        var schedule = WarmupCosineSchedule.Create(opt, warmupSteps: 500, trainingSteps: 10000);
        int at = Array.IndexOf(G.WarmupSteps, 2750);
        for (int step = 0; step < 2750; step++) schedule.step();
        var rate = opt.ParamGroups.Single().LearningRate;
        Assert.Equal(G.CosineWithWarmup[at], rate, 1e-15);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WarmupCosineSchedule.Factor(0, -1, 10));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WarmupCosineSchedule.Factor(0, 500, 100));
        Assert.Contains("warm-up steps (500)", e.Message);
    }
}
