namespace MedAnomaly.Training;

/// <summary>An equal training budget for a comparison: every method sees the same number of slices, whatever its batch.</summary>
public static class TrainingBudget
{
    /// <summary>The options with Steps = ⌈slices / BatchSize⌉ and the warm-up scaled by the same factor, so the learning-rate
    /// schedule keeps its shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A budget smaller than one batch.</exception>
    public static TrainingOptions Slices(TrainingOptions options, long slices)
    {
        if (slices < options.BatchSize)
            throw new ArgumentOutOfRangeException(nameof(slices), slices, $"--budget must be at least one batch ({options.BatchSize} slices)");
        int steps = checked((int)((slices + options.BatchSize - 1) / options.BatchSize));
        int warmup = (int)Math.Round((double)options.WarmupSteps * steps / options.Steps);
        return options with { Steps = steps, WarmupSteps = Math.Min(warmup, steps) };
    }
}
