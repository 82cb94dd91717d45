namespace MedAnomaly.Torch.Optim;

/// <summary>
/// Base of the learning-rate schedules (PyTorch's <c>torch.optim.lr_scheduler.LRScheduler</c>). It remembers
/// each group's learning rate at construction (base_lrs) and sets <c>lr = LearningRate(base_lr, step)</c>.
/// As in PyTorch, constructing it applies step 0; call <see cref="Step"/> after each <c>optimizer.step()</c>.
/// </summary>
public abstract class LRScheduler
{
    readonly double[] baseLrs;

    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer;
        baseLrs = optimizer.param_groups.Select(g => g.lr).ToArray();
    }

    public Optimizer Optimizer { get; }

    /// <summary>The step whose learning rate is in the optimizer now (PyTorch's <c>last_epoch</c>).</summary>
    public int last_step { get; private set; }

    public IReadOnlyList<double> base_lrs => baseLrs;

    /// <summary>The learning rate for a group that started at <paramref name="baseLr"/>, at <paramref name="step"/> (≥ 0).</summary>
    protected abstract double LearningRate(double baseLr, int step);

    /// <summary>The first group's learning rate at <paramref name="step"/> (no side effect).</summary>
    public double LearningRate(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
        return LearningRate(baseLrs[0], step);
    }

    /// <summary>Advances one step and writes the new learning rate into every parameter group.</summary>
    public void Step() => SetStep(last_step + 1);

    /// <summary>Jumps to <paramref name="step"/> (e.g. when resuming from a checkpoint).</summary>
    public void SetStep(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
        last_step = step;
        var groups = Optimizer.param_groups;
        for (int i = 0; i < groups.Count; i++) groups[i].lr = LearningRate(baseLrs[i], step);
    }

    /// <summary>The learning rates last written, one per group (PyTorch's <c>get_last_lr()</c>).</summary>
    public double[] get_last_lr() => Optimizer.param_groups.Select(g => g.lr).ToArray();

    /// <summary>Derived constructors call this last, so that step 0's rate is in place (PyTorch does the same).</summary>
    protected void Initialize() => SetStep(0);
}
