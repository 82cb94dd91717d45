namespace MedAnomaly.Torch.Optim;

/// <summary>
/// Linear warm-up to the base rate, then constant — Hugging Face transformers'
/// <c>get_constant_schedule_with_warmup</c>: factor(step) = step / max(1, warmup) for step &lt; warmup, else 1.
/// (So step 0 trains with lr 0, as there.)
/// </summary>
public sealed class LinearWarmupLR : LRScheduler
{
    public LinearWarmupLR(Optimizer optimizer, int num_warmup_steps) : base(optimizer)
    {
        if (num_warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(num_warmup_steps), num_warmup_steps, "must be >= 0");
        WarmupSteps = num_warmup_steps;
        Initialize();
    }

    public int WarmupSteps { get; }

    public static double Factor(int step, int warmupSteps) =>
        step < warmupSteps ? (double)step / Math.Max(1, warmupSteps) : 1.0;

    protected override double LearningRate(double baseLr, int step) => baseLr * Factor(step, WarmupSteps);
}
