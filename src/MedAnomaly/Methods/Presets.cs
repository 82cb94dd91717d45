using MedAnomaly.Training;

namespace MedAnomaly.Methods;

/// <summary>How much compute a run gets, on slices of any size: <see cref="Tiny"/> (seconds; tests and smoke runs),
/// <see cref="Quick"/> (minutes on 2 CPU cores for a 64×64 phantom; notebooks' defaults), <see cref="Paper"/> (the published
/// settings, for a GPU).</summary>
public enum PresetName { Tiny, Quick, Paper }

/// <summary>A method's configuration (as the JSON its registry factory reads) and its training options.</summary>
public sealed record DetectorPreset(string ConfigJson, TrainingOptions Training);

/// <summary>Training options shared by the presets of several methods.</summary>
public static class Presets
{
    /// <summary>10 steps of 8 slices, Adam-like settings without warm-up or clipping surprises.</summary>
    public static TrainingOptions Tiny { get; } = new()
    {
        Steps = 10, BatchSize = 8, LearningRate = 1e-3, Beta1 = 0.9, WeightDecay = 0, WarmupSteps = 0, CosineDecay = false,
        GradientClip = 1.0,
    };

    /// <summary>The preset of a run that names none (the CLI's <c>--preset</c> default).</summary>
    public const PresetName Default = PresetName.Quick;

    /// <summary>Slices every method sees under the quick preset: the equal budget of `make demo`.</summary>
    public const int QuickSlices = 2400;

    /// <summary>A method's quick training: its optimiser settings for <see cref="QuickSlices"/> slices at its batch size.</summary>
    public static TrainingOptions Quick(TrainingOptions options) => options with { Steps = QuickSlices / options.BatchSize };

    /// <summary>Parses "tiny", "quick", "paper" (case-insensitive).</summary>
    public static PresetName Parse(string name) => Enum.TryParse<PresetName>(name, ignoreCase: true, out var p)
        ? p : throw new ArgumentException($"unknown preset '{name}'; expected tiny, quick or paper");
}
