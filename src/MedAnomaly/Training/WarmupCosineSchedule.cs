using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>
/// Linear warm-up then cosine decay to 0 — Hugging Face transformers' (and diffusers')
/// <c>get_cosine_schedule_with_warmup</c>, the schedule DISYRE trains with (AdamW, lr 1e-4, 500 warm-up steps):
/// <code>
/// factor(step) = step / max(1, warmup)                                   if step &lt; warmup
///              = max(0, ½ · (1 + cos(π · 2·num_cycles · progress)))      otherwise,
/// progress = (step − warmup) / max(1, total − warmup)
/// </code>
/// With the default num_cycles = 0.5 the rate falls from base_lr to 0 at step = total.
/// </summary>
public static class WarmupCosineSchedule
{
    /// <summary>The multiplier of the base learning rate at <paramref name="step"/> (0-based).</summary>
    public static double Factor(int step, int warmupSteps, int trainingSteps, double cycles = 0.5)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "must be >= 0");
        if (trainingSteps < warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(trainingSteps), trainingSteps, $"must be >= the warm-up steps ({warmupSteps})");
        if (step < warmupSteps) return (double)step / Math.Max(1, warmupSteps);
        double progress = (double)(step - warmupSteps) / Math.Max(1, trainingSteps - warmupSteps);
        return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * cycles * 2.0 * progress)));
    }

    /// <summary>TorchSharp's LambdaLR with <see cref="Factor"/>; call its <c>step()</c> after each optimiser step.</summary>
    public static optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, int warmupSteps, int trainingSteps, double cycles = 0.5)
    {
        Factor(0, warmupSteps, trainingSteps, cycles); // validates the arguments now, not at the first step
        return optim.lr_scheduler.LambdaLR(optimizer, step => Factor(step, warmupSteps, trainingSteps, cycles));
    }
}
