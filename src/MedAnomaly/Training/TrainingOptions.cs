using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>Number format of the forward and backward passes (<see cref="BFloat16"/>: bf16 model copy, float32
/// master weights and optimiser state — TorchSharp has no autocast, so it is written out in the trainer).</summary>
public enum Precision { Float32, BFloat16 }

/// <summary>
/// How the shared trainer runs: AdamW with linear warm-up and cosine decay (<see cref="WarmupCosineSchedule"/>),
/// gradient clipping, an optional exponential moving average of the weights, periodic atomic checkpoints.
/// Defaults are DISYRE's optimiser (Marimont &amp; Tarroni 2024: lr 1e-4, betas (0.95, 0.999), weight decay 1e-6,
/// clip 1.0); methods' presets change what their papers change.
/// </summary>
public sealed record TrainingOptions
{
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.95;
    public double Beta2 { get; init; } = 0.999;
    public double WeightDecay { get; init; } = 1e-6;
    /// <summary>Linear warm-up steps before the cosine decay; 0 = none.</summary>
    public int WarmupSteps { get; init; } = 0;
    /// <summary>Cosine decay to 0 at <see cref="Steps"/> (true) or a constant rate after warm-up (false).</summary>
    public bool CosineDecay { get; init; } = true;
    /// <summary>Maximum global L2 norm of the gradients; 0 or less = no clipping.</summary>
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Decay of the exponential moving average of the weights (e.g. 0.999); null = no EMA.</summary>
    public double? EmaDecay { get; init; }
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>Seeds initialisation, batch order and every corruption.</summary>
    public ulong Seed { get; init; } = 0;
    /// <summary>Write a checkpoint every this many steps (and at the end); 0 = only at the end when a path is set.</summary>
    public int CheckpointEvery { get; init; } = 0;
    /// <summary>Also write a checkpoint when this many seconds have passed since the last one (when a path is set), so a
    /// killed run loses at most about this much work whatever its step count; 0 = not by time.</summary>
    public double CheckpointSeconds { get; init; } = 60;
    /// <summary>Checkpoint file (weights, optimiser state, RNG state, step); training resumes from it when it exists.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Where to train; null = CPU.</summary>
    public string? Device { get; init; }

    /// <summary>Checks every field, and that <see cref="Device"/> exists in this process, before anything is recorded or
    /// trained.</summary>
    /// <exception cref="ArgumentException">The first bad field: its name, its value and what was expected.</exception>
    public void Validate()
    {
        Require(Steps >= 1, nameof(Steps), Steps, "at least 1 step");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1 slice per batch");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive number");
        Require(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "a number in [0, 1)");
        Require(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "a number in [0, 1)");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a number ≥ 0");
        Require(WarmupSteps >= 0 && WarmupSteps <= Steps, nameof(WarmupSteps), WarmupSteps, $"a number of steps in [0, Steps = {Steps}]");
        Require(!double.IsNaN(GradientClip) && !double.IsPositiveInfinity(GradientClip), nameof(GradientClip), GradientClip, "a finite number (≤ 0 = no clipping)");
        Require(EmaDecay is null or (>= 0 and < 1), nameof(EmaDecay), EmaDecay, "a number in [0, 1), or null for no EMA");
        Require(Enum.IsDefined(Precision), nameof(Precision), Precision, "Float32 or BFloat16");
        Require(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery, "a number of steps ≥ 0 (0 = not by steps)");
        Require(CheckpointSeconds >= 0 && double.IsFinite(CheckpointSeconds), nameof(CheckpointSeconds), CheckpointSeconds, "a number of seconds ≥ 0 (0 = not by time)");
        TrainingDevice.Validate(Device);
    }

    static void Require(bool ok, string name, object? value, string expected)
    {
        if (!ok) throw new ArgumentException($"training option {name} = {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null"}: expected {expected}");
    }
}

/// <summary>Reported after every step.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, TimeSpan Elapsed);

/// <summary>What a training run did: the loss of every step run in this call (resumed steps excluded).</summary>
public sealed record TrainingResult(IReadOnlyList<(int Step, double Loss)> Losses, int FinalStep, bool Cancelled, double SecondsPerStep);

/// <summary>
/// What a method trains: its network and the loss of one batch. The trainer owns the loop, the optimiser, the
/// schedule, the precision, checkpoints and the NaN guard; the method owns only its objective.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The module whose parameters are optimised and checkpointed.</summary>
    nn.Module Network { get; }

    /// <summary>The scalar loss of one batch.</summary>
    /// <param name="images">[N,C,H,W] slices in [0,1], on the training device (healthy ones for an unsupervised method).</param>
    /// <param name="foreground">[N,1,H,W] brain mask {0,1}.</param>
    /// <param name="labels">[N] int64 image-level labels (0 healthy, 1 diseased), on the training device; only weakly
    /// supervised objectives read them. Lesion masks never reach an objective.</param>
    /// <param name="rng">The trainer's generator (checkpointed): every random draw of the objective comes from it.</param>
    Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng);
}
