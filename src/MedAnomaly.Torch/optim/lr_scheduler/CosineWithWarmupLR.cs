namespace MedAnomaly.Torch.Optim;

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
public sealed class CosineWithWarmupLR : LRScheduler
{
    public CosineWithWarmupLR(Optimizer optimizer, int num_warmup_steps, int num_training_steps, double num_cycles = 0.5)
        : base(optimizer)
    {
        if (num_warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(num_warmup_steps), num_warmup_steps, "must be >= 0");
        if (num_training_steps < num_warmup_steps)
            throw new ArgumentOutOfRangeException(nameof(num_training_steps), num_training_steps, $"must be >= num_warmup_steps ({num_warmup_steps})");
        WarmupSteps = num_warmup_steps;
        TrainingSteps = num_training_steps;
        Cycles = num_cycles;
        Initialize();
    }

    public int WarmupSteps { get; }
    public int TrainingSteps { get; }
    public double Cycles { get; }

    public static double Factor(int step, int warmupSteps, int trainingSteps, double cycles = 0.5)
    {
        if (step < warmupSteps) return (double)step / Math.Max(1, warmupSteps);
        double progress = (double)(step - warmupSteps) / Math.Max(1, trainingSteps - warmupSteps);
        return Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * cycles * 2.0 * progress)));
    }

    protected override double LearningRate(double baseLr, int step) => baseLr * Factor(step, WarmupSteps, TrainingSteps, Cycles);
}
