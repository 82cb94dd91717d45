using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedAnomaly.Data;

/// <summary>
/// One preprocessing step, recorded with its parameters so a run can say exactly how its data was prepared.
/// Serialised as a flat JSON object: {"op": "quantile_scale", "low": 0, "high": 0.98, "clip_below": 0}.
/// Parameter values are numbers (double) or strings.
/// </summary>
public sealed record PreprocessStep(string Op, IReadOnlyDictionary<string, object> Parameters)
{
    /// <summary>Known operations: their parameters (name → (required, kind)) and the stage they run in.</summary>
    private static readonly Dictionary<string, (bool volumeStage, Dictionary<string, (bool required, string kind)> args)> Ops = new()
    {
        ["clip"] = (true, new() { ["min"] = (false, "number"), ["max"] = (false, "number") }),
        ["quantile_scale"] = (true, new() { ["low"] = (true, "number"), ["high"] = (true, "number"), ["clip_below"] = (false, "number"), ["foreground_only"] = (false, "bool") }),
        ["foreground"] = (true, new() { ["threshold"] = (true, "number") }),
        ["resize"] = (false, new() { ["height"] = (true, "int"), ["width"] = (true, "int"), ["mode"] = (true, "mode") }),
        ["crop_or_pad"] = (false, new() { ["height"] = (true, "int"), ["width"] = (true, "int"), ["value"] = (false, "number") }),
    };

    public static PreprocessStep Clip(double min, double max) => new("clip", new Dictionary<string, object> { ["min"] = min, ["max"] = max });
    public static PreprocessStep QuantileScale(double low = 0, double high = 0.98, double clipBelow = 0) =>
        new("quantile_scale", new Dictionary<string, object> { ["low"] = low, ["high"] = high, ["clip_below"] = clipBelow });
    public static PreprocessStep ForegroundThreshold(double threshold = 0) => new("foreground", new Dictionary<string, object> { ["threshold"] = threshold });
    public static PreprocessStep Resize(int height, int width, string mode = "bilinear") =>
        new("resize", new Dictionary<string, object> { ["height"] = (double)height, ["width"] = (double)width, ["mode"] = mode });
    public static PreprocessStep CropOrPad(int height, int width) =>
        new("crop_or_pad", new Dictionary<string, object> { ["height"] = (double)height, ["width"] = (double)width });

    /// <summary>True for steps that act on whole volumes/images before slicing (intensity, foreground).</summary>
    public bool IsVolumeStage => Ops.TryGetValue(Op, out var o) && o.volumeStage;

    public double Number(string name, double fallback) =>
        Parameters.TryGetValue(name, out var v) ? v switch { double d => d, bool b => b ? 1 : 0, _ => fallback } : fallback;
    public int Int(string name) => (int)Number(name, 0);
    public string Text(string name, string fallback) => Parameters.TryGetValue(name, out var v) && v is string s ? s : fallback;

    /// <summary>This step as a JSON object.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["op"] = Op };
        foreach (var (k, v) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            o[k] = v switch { double d => JsonValue.Create(d), string s => JsonValue.Create(s), bool b => JsonValue.Create(b), _ => null };
        return o;
    }

    /// <summary>Parses and validates one step; errors name <paramref name="path"/> (e.g. "preprocess[2]").</summary>
    public static PreprocessStep Parse(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected an object like {{\"op\": \"clip\", ...}}, got {e.ValueKind}");
        if (!e.TryGetProperty("op", out var opEl) || opEl.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{path}.op: expected a string naming the operation ({string.Join(", ", Ops.Keys)})");
        string op = opEl.GetString()!;
        if (!Ops.TryGetValue(op, out var spec))
            throw new InvalidDataException($"{path}.op: unknown operation '{op}'; expected one of {string.Join(", ", Ops.Keys)}");
        var parameters = new Dictionary<string, object>();
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == "op") continue;
            if (!spec.args.TryGetValue(p.Name, out var arg))
                throw new InvalidDataException($"{path}.{p.Name}: unknown parameter for '{op}'; expected {string.Join(", ", spec.args.Keys)}");
            parameters[p.Name] = ParseValue(p.Value, arg.kind, $"{path}.{p.Name}");
        }
        foreach (var (name, arg) in spec.args)
            if (arg.required && !parameters.ContainsKey(name)) throw new InvalidDataException($"{path}.{name}: required for '{op}' ({arg.kind})");
        var step = new PreprocessStep(op, parameters);
        step.CheckRanges(path);
        return step;
    }

    private static object ParseValue(JsonElement v, string kind, string path) => kind switch
    {
        "number" when v.ValueKind == JsonValueKind.Number => v.GetDouble(),
        "int" when v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0 => (double)i,
        "bool" when v.ValueKind is JsonValueKind.True or JsonValueKind.False => v.GetBoolean(),
        "mode" when v.ValueKind == JsonValueKind.String && v.GetString() is "bilinear" or "area" or "nearest" => v.GetString()!,
        "int" => throw new InvalidDataException($"{path}: expected a positive integer, got {v.GetRawText()}"),
        "mode" => throw new InvalidDataException($"{path}: expected \"bilinear\", \"area\" or \"nearest\", got {v.GetRawText()}"),
        "bool" => throw new InvalidDataException($"{path}: expected true or false, got {v.GetRawText()}"),
        _ => throw new InvalidDataException($"{path}: expected a number, got {v.GetRawText()}"),
    };

    private void CheckRanges(string path)
    {
        if (Op == "quantile_scale")
        {
            double low = Number("low", 0), high = Number("high", 0.98);
            if (!(low >= 0 && low < high && high <= 1))
                throw new InvalidDataException($"{path}: expected 0 <= low < high <= 1, got low {low.ToString(CultureInfo.InvariantCulture)}, high {high.ToString(CultureInfo.InvariantCulture)}");
        }
        if (Op == "clip" && Number("min", double.NegativeInfinity) > Number("max", double.PositiveInfinity))
            throw new InvalidDataException($"{path}: min is above max");
    }
}
