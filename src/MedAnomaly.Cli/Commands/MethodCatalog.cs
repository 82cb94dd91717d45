using MedAnomaly.Experiments;
using MedAnomaly.Methods;

namespace MedAnomaly.Cli.Commands;

/// <summary>The CLI's view of <see cref="DetectorRegistry"/>: a method's preset with <c>--set</c> overrides applied
/// (training options first, then the method's own settings).</summary>
public static class MethodCatalog
{
    public static IReadOnlyList<string> Names => DetectorRegistry.All.Select(e => e.Name).ToList();

    /// <param name="imageChannels">The channels of the slices (--channels): every network of the preset takes that many
    /// (<see cref="DetectorJson.WithImageChannels"/>), before the --set overrides.</param>
    /// <exception cref="ArgumentException">An unknown method or preset, or a --set key that is neither a training option
    /// nor a setting of the method, or a value of the wrong type.</exception>
    public static MethodSetup Create(string method, string preset, IReadOnlyList<(string Key, string Value)> overrides, int imageChannels = 1)
    {
        var entry = DetectorRegistry.Get(method);
        var p = entry.Preset(Presets.Parse(preset));
        if (imageChannels != 1) p = p with { ConfigJson = DetectorJson.WithImageChannels(p.ConfigJson, imageChannels) };
        var (training, rest) = ConfigOverrides.Apply(p.Training, overrides);
        var (config, unknown) = ConfigOverrides.ApplyToJson(p.ConfigJson, rest);
        if (unknown.Count > 0)
            throw new ArgumentException($"--set {unknown[0].Key}: not a training option nor a setting of {entry.Name}; " +
                                        $"known keys: {string.Join(", ", ConfigOverrides.Keys(p.Training).Concat(ConfigOverrides.Keys(p.ConfigJson)))}");
        return new MethodSetup(entry.Name, Build(entry, config, rest), training);
    }

    /// <summary>The detector, its network built (the network configs validate themselves, e.g. GroupNorm groups that divide
    /// every channel count); a refused value is reported with the --set overrides that produced it.</summary>
    static Methods.IAnomalyDetector Build(DetectorEntry entry, string config, IReadOnlyList<(string Key, string Value)> overrides)
    {
        try { return entry.Create(config); }
        catch (Exception e) when (overrides.Count > 0 && e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new ArgumentException($"{entry.Name} with {string.Join(" ", overrides.Select(o => $"--set {o.Key}={o.Value}"))}: {e.Message}", e);
        }
    }

    public static Methods.IAnomalyDetector Load(string path) => DetectorRegistry.Load(path);
}
