using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedAnomaly.Methods;

namespace MedAnomaly.Experiments;

/// <summary>
/// Where a run's numbers came from, as a report prints it: the run, its method, seed and preset, the exact command, how
/// its configuration differs from the preset's (<see cref="Changes"/>), the evaluation settings, the code (git revision,
/// TorchSharp and libtorch versions), the machine and the times. Read from the run store's record (<see cref="Of"/>).
/// </summary>
/// <param name="Preset">The <c>--preset</c> of the run's command (the CLI's default when it has none); for a run recorded
/// by another program (a notebook), the preset whose configuration is closest, marked "closest: …"; null when the method
/// is not registered in this process.</param>
/// <param name="Changes">"key=value" for each setting of the method or the training whose value differs from the preset's
/// (keys as <c>--set</c> takes them; a setting the run lacks is "key=–"); empty when it is the preset as it is.</param>
public sealed record RunProvenance(
    long Id, string Method, string Dataset, long Seed, string? Preset, string Command, IReadOnlyList<string> Changes,
    string Evaluation, string? GitRevision, string? TorchSharpVersion, string? LibtorchVersion, string? Machine,
    RunStatus Status, DateTime StartedUtc, DateTime? EndedUtc)
{
    /// <exception cref="InvalidDataException">The run's stored config is not the JSON a run records (a damaged store).</exception>
    public static RunProvenance Of(RunRecord run)
    {
        var info = run.Info;
        try
        {
            var config = JsonNode.Parse(info.ConfigJson) as JsonObject ?? [];
            var (preset, changes) = PresetAndChanges(info.Method, info.Command, config, info.Seed);
            return new RunProvenance(run.Id, info.Method, info.Dataset, info.Seed, preset, info.Command, changes,
                ExperimentRunner.EvaluationOf(info.ConfigJson).ToString(), info.GitRevision, info.TorchSharpVersion, info.LibtorchVersion,
                info.Machine, run.Status, run.StartedUtc, run.EndedUtc);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"run {run.Id}: its stored config cannot be read ({e.Message}); the run store may be damaged", e);
        }
    }

    static (string? Preset, IReadOnlyList<string> Changes) PresetAndChanges(string method, string command, JsonObject config, long seed)
    {
        var entry = DetectorRegistry.All.FirstOrDefault(e => string.Equals(e.Name, method, StringComparison.OrdinalIgnoreCase));
        if (entry is null) return (null, []);
        if (PresetOf(command) is { } named && Enum.TryParse<PresetName>(named, ignoreCase: true, out var preset))
            return (named, Differences(config, entry.Preset(preset), seed));
        var closest = Enum.GetValues<PresetName>().Select(p => (Name: p, Changes: Differences(config, entry.Preset(p), seed)))
            .MinBy(p => p.Changes.Count);
        return ($"closest: {closest.Name.ToString().ToLowerInvariant()}", closest.Changes);
    }

    /// <summary>The <c>--preset</c> of a <c>medanomaly</c> command line (<see cref="Presets.Default"/> when it has none); null
    /// for a command of another program.</summary>
    public static string? PresetOf(string command)
    {
        var tokens = CommandLineTokens(command);
        if (tokens.Count == 0 || tokens[0] != "medanomaly") return null;
        for (int i = 1; i < tokens.Count; i++)
        {
            if (tokens[i] == "--preset" && i + 1 < tokens.Count) return tokens[i + 1];
            if (tokens[i].StartsWith("--preset=", StringComparison.Ordinal)) return tokens[i]["--preset=".Length..];
        }
        return Presets.Default.ToString().ToLowerInvariant();
    }

    /// <summary>A command line split as a shell would (double quotes group, <c>\"</c> inside them is a quote), the form in
    /// which the CLI records commands.</summary>
    public static IReadOnlyList<string> CommandLineTokens(string command)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (quoted && c == '\\' && i + 1 < command.Length && command[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') { quoted = !quoted; any = true; }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any || current.Length > 0) tokens.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else current.Append(c);
        }
        if (any || current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    /// <summary>The run's method settings and training options against the preset's (the training seed is the run's own).</summary>
    public static IReadOnlyList<string> Differences(JsonObject runConfig, DetectorPreset preset, long seed)
    {
        var presetTraining = JsonSerializer.SerializeToNode(preset.Training with { Seed = unchecked((ulong)seed), CheckpointPath = null }, ConfigOverrides.Json);
        var ours = Flatten(runConfig["config"], "").Concat(Flatten(runConfig["training"], "")).ToList();
        var theirs = Flatten(JsonNode.Parse(preset.ConfigJson), "").Concat(Flatten(presetTraining, "")).ToDictionary(p => p.Key, p => p.Value);
        var changes = new List<string>();
        foreach (var (key, value) in ours)
        {
            if (!theirs.Remove(key, out var expected) || !SameValue(value, expected)) changes.Add($"{key}={Text(value)}");
        }
        changes.AddRange(theirs.Keys.Select(key => $"{key}=–"));
        return changes;
    }

    static IEnumerable<KeyValuePair<string, JsonNode?>> Flatten(JsonNode? node, string prefix) => node is JsonObject o
        ? o.SelectMany(p => p.Value is JsonObject ? Flatten(p.Value, prefix + p.Key + ".") : [new(prefix + p.Key, p.Value)])
        : [];

    /// <summary>Numbers by value (1e-3 and 0.001 are one setting), everything else by its JSON text.</summary>
    static bool SameValue(JsonNode? a, JsonNode? b)
    {
        if (a?.GetValueKind() == JsonValueKind.Number && b?.GetValueKind() == JsonValueKind.Number)
            return a.GetValue<double>() == b.GetValue<double>();
        return (a?.ToJsonString() ?? "null") == (b?.ToJsonString() ?? "null");
    }

    /// <summary>A value as <c>--set</c> takes it: strings without quotes, the rest as JSON.</summary>
    static string Text(JsonNode? value) => value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "null";
}
