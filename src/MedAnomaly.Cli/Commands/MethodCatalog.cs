using MedAnomaly.Experiments;
using MedAnomaly.Methods;

namespace MedAnomaly.Cli.Commands;

/// <summary>The CLI's view of <see cref="DetectorRegistry"/>: a method's preset with <c>--set</c> overrides applied
/// (training options first, then the method's own settings).</summary>
public static class MethodCatalog
{
    public static IReadOnlyList<string> Names => DetectorRegistry.All.Select(e => e.Name).ToList();

    /// <exception cref="ArgumentException">An unknown method or preset, or a --set key that is neither a training option
    /// nor a setting of the method, or a value of the wrong type.</exception>
    public static MethodSetup Create(string method, string preset, IReadOnlyList<(string Key, string Value)> overrides)
    {
        var entry = DetectorRegistry.Get(method);
        var p = entry.Preset(Presets.Parse(preset));
        var (training, rest) = ConfigOverrides.Apply(p.Training, overrides);
        var (config, unknown) = ConfigOverrides.ApplyToJson(p.ConfigJson, rest);
        if (unknown.Count > 0)
            throw new ArgumentException($"--set {unknown[0].Key}: not a training option nor a setting of {entry.Name}; " +
                                        $"known keys: {string.Join(", ", ConfigOverrides.Keys(p.Training).Concat(ConfigOverrides.Keys(p.ConfigJson)))}");
        return new MethodSetup(entry.Name, entry.Create(config), training);
    }

    public static Methods.IAnomalyDetector Load(string path) => DetectorRegistry.Load(path);
}
