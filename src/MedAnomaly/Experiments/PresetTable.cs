using System.Globalization;
using System.Text;
using MedAnomaly.Methods;
using MedAnomaly.Training;
using TorchSharp;

namespace MedAnomaly.Experiments;

/// <summary>One method × preset: its network and what training it gets.</summary>
public sealed record PresetRow(string Method, PresetName Preset, string Network, long Parameters, TrainingOptions Training)
{
    /// <summary>Slices seen in training: steps × batch.</summary>
    public long Slices => (long)Training.Steps * Training.BatchSize;
}

/// <summary>Every registered method's presets, read from the code (<see cref="DetectorRegistry"/>), as rows and as the
/// Markdown table README shows (a test keeps the two equal).</summary>
public static class PresetTable
{
    public static IReadOnlyList<PresetRow> Rows() =>
        DetectorRegistry.All.SelectMany(entry => Enum.GetValues<PresetName>().Select(preset => Row(entry, preset))).ToList();

    static PresetRow Row(DetectorEntry entry, PresetName preset)
    {
        var p = entry.Preset(preset);
        using var detector = entry.Create(p.ConfigJson);
        var network = ((ITrainingObjective)detector).Network;
        return new PresetRow(entry.Name, preset, network.GetType().Name, network.parameters().Sum(t => t.numel()), p.Training);
    }

    public static string Markdown()
    {
        var text = new StringBuilder();
        text.Append("| method | preset | network | parameters | steps | batch | slices | lr | warm-up | precision |\n");
        text.Append("| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | :-- |\n");
        foreach (var r in Rows())
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Method} | {r.Preset.ToString().ToLowerInvariant()} | {r.Network} | {r.Parameters:N0} | {r.Training.Steps:N0} | {r.Training.BatchSize} | {r.Slices:N0} | {r.Training.LearningRate:G3} | {r.Training.WarmupSteps} | {Precision(r.Training)} |\n"));
        return text.ToString();
    }

    static string Precision(TrainingOptions t) => t.Precision == Training.Precision.BFloat16 ? "bf16" : "fp32";
}
