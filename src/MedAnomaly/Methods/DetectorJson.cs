using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MedAnomaly.Methods;

/// <summary>The one JSON convention of detector configs (checkpoints, the run store, <c>--set</c>): enums by name only (a
/// number would name a value the enum may not have, which a method would meet only when it runs), and no null where the
/// record's property is not nullable (a null network config would fail only when the network is built).</summary>
public static class DetectorJson
{
    public static readonly JsonSerializerOptions Options = new() { Converters = { new JsonStringEnumConverter(allowIntegerValues: false) }, RespectNullableAnnotations = true };

    public static string Serialize<T>(T config) => JsonSerializer.Serialize(config, Options);

    /// <summary>A config record from JSON (null or empty = the defaults), validated.</summary>
    /// <exception cref="ArgumentException">Invalid JSON, or a value <see cref="IDetectorConfig.Validate"/> refuses.</exception>
    public static T Parse<T>(string? json, string method) where T : IDetectorConfig, new()
    {
        T config;
        try { config = string.IsNullOrWhiteSpace(json) ? new T() : JsonSerializer.Deserialize<T>(json, Options) ?? new T(); }
        catch (JsonException e) { throw new ArgumentException($"{method}: invalid config JSON ({e.Message})", nameof(json), e); }
        config.Validate();
        return config;
    }

    /// <summary>The config JSON with every network's image channels set to <paramref name="channels"/>: each "InChannels"
    /// and "OutChannels" at any depth (the networks' configs name them so; a classifier has no OutChannels, its classes are
    /// fixed). How `--channels` with several channels configures any method.</summary>
    public static string WithImageChannels(string json, int channels)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "at least 1 image channel");
        var root = JsonNode.Parse(json) ?? throw new ArgumentException("empty config JSON", nameof(json));
        void Visit(JsonNode? node)
        {
            if (node is not JsonObject o) return;
            foreach (var key in o.Select(p => p.Key).ToList())
                if (key is "InChannels" or "OutChannels") o[key] = channels;
                else Visit(o[key]);
        }
        Visit(root);
        return root.ToJsonString();
    }
}
