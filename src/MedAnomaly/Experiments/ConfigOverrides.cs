using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MedAnomaly.Experiments;

/// <summary>
/// Applies <c>--set key=value</c> overrides to a configuration record through its JSON form: the key names a
/// property (camelCase or PascalCase, case-insensitive; nested with dots), the value is parsed as that
/// property's JSON type (number, true/false, string, or a JSON array such as <c>[32,64]</c>). An unknown key or
/// a value of the wrong type throws <see cref="ArgumentException"/> naming the key, the value and what was
/// expected — before anything runs or is recorded.
/// </summary>
public static class ConfigOverrides
{
    public static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter(allowIntegerValues: false) }, RespectNullableAnnotations = true };   // as DetectorJson

    /// <summary>Parses "key=value" strings.</summary>
    public static IReadOnlyList<(string Key, string Value)> Parse(IEnumerable<string> assignments) =>
        assignments.Select(a =>
        {
            int eq = a.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set {a}: expected key=value");
            return (a[..eq].Trim(), a[(eq + 1)..].Trim());
        }).ToList();

    /// <summary>Returns <paramref name="config"/> with the overrides whose key it has; the others are returned unused.</summary>
    public static (T Config, List<(string Key, string Value)> Unused) Apply<T>(T config, IEnumerable<(string Key, string Value)> overrides)
    {
        var node = JsonSerializer.SerializeToNode(config, Json)!.AsObject();
        var unused = new List<(string, string)>();
        foreach (var (key, value) in overrides)
            if (!TrySet(node, key.Split('.'), key, value)) unused.Add((key, value));
        try
        {
            var result = node.Deserialize<T>(Json) ?? throw new ArgumentException($"the overrides made an empty {typeof(T).Name}");
            return (result, unused);
        }
        catch (JsonException e)
        {
            var keys = string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"));
            throw new ArgumentException($"--set {keys}: a value does not fit {typeof(T).Name} ({e.Message})");
        }
    }

    /// <summary>The same for a configuration held as a JSON object (a detector's config).</summary>
    public static (string Json, List<(string Key, string Value)> Unused) ApplyToJson(string json, IEnumerable<(string Key, string Value)> overrides)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("the configuration is not a JSON object");
        var unused = new List<(string, string)>();
        foreach (var (key, value) in overrides)
            if (!TrySet(node, key.Split('.'), key, value)) unused.Add((key, value));
        return (node.ToJsonString(), unused);
    }

    /// <summary>The settable keys of a JSON configuration.</summary>
    public static IEnumerable<string> Keys(string json) => Flatten(JsonNode.Parse(json)!.AsObject(), "");

    /// <summary>The settable keys of a configuration (for error messages and help).</summary>
    public static IEnumerable<string> Keys<T>(T config) => Flatten(JsonSerializer.SerializeToNode(config, Json)!.AsObject(), "");

    static IEnumerable<string> Flatten(JsonObject node, string prefix) =>
        node.SelectMany(p => p.Value is JsonObject child ? Flatten(child, prefix + p.Key + ".") : [prefix + p.Key]);

    static bool TrySet(JsonObject node, string[] path, string key, string value)
    {
        var property = node.FirstOrDefault(p => string.Equals(p.Key, path[0], StringComparison.OrdinalIgnoreCase));
        if (property.Key is null) return false;
        if (path.Length > 1)
            return property.Value is JsonObject child && TrySet(child, path[1..], key, value);
        node[property.Key] = Convert(property.Value, key, value);
        return true;
    }

    static JsonNode? Convert(JsonNode? current, string key, string value)
    {
        var kind = current?.GetValueKind() ?? JsonValueKind.Null;
        try
        {
            return kind switch
            {
                JsonValueKind.Number => JsonValue.Create(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)),
                JsonValueKind.True or JsonValueKind.False => JsonValue.Create(bool.Parse(value)),
                JsonValueKind.Array => JsonNode.Parse(value) as JsonArray ?? throw new FormatException(),
                JsonValueKind.Null when value == "null" => null,
                JsonValueKind.Null => JsonNode.Parse(value),
                _ => JsonValue.Create(value),
            };
        }
        catch (Exception e) when (e is FormatException or JsonException or OverflowException)
        {
            throw new ArgumentException($"--set {key}={value}: expected {Describe(kind)}");
        }
    }

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Array => "a JSON array such as [32,64]",
        _ => "a JSON value",
    };
}
