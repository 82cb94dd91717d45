using System.Text.Json;
using System.Text.Json.Serialization;
using MedAnomaly.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// A detector's weights as safetensors with <c>__metadata__ = {"method": name, "config": JSON}</c> (DESIGN.md:
/// no pickle, the config in the header so PyTorch users can open the file), and the JSON conventions of configs
/// (enums as strings).
/// </summary>
public static class DetectorCheckpoint
{
    /// <summary>Config JSON: camel-free property names as declared, enums as their names.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>Writes every entry of <paramref name="network"/>'s state_dict (parameters and buffers) and the metadata.</summary>
    public static void Save(string path, string method, string configJson, nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var state = network.state_dict();
        Safetensors.Save(path, state, new Dictionary<string, string> { ["method"] = method, ["config"] = configJson });
    }

    /// <summary>The config JSON stored in <paramref name="path"/>, after checking that it was written by <paramref name="method"/>.</summary>
    public static string ReadConfig(string path, string method)
    {
        var header = Safetensors.ReadHeader(path);
        if (!header.Metadata.TryGetValue("method", out var stored))
            throw new InvalidDataException($"{path}: no \"method\" in the safetensors metadata; expected a '{method}' detector checkpoint");
        if (stored != method)
            throw new InvalidDataException($"{path}: a '{stored}' checkpoint, expected '{method}'");
        return header.Metadata.TryGetValue("config", out var config)
            ? config
            : throw new InvalidDataException($"{path}: no \"config\" in the safetensors metadata");
    }

    /// <summary>Copies the stored tensors into <paramref name="network"/> (strict: every name and shape must match).</summary>
    public static void LoadWeights(string path, nn.Module network)
    {
        using var file = Safetensors.Load(path);
        var expected = network.state_dict();
        var missing = expected.Keys.Except(file.Tensors.Keys).ToList();
        var unexpected = file.Tensors.Keys.Except(expected.Keys).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{path}: the weights do not fit the network built from its config " +
                $"(missing: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", …" : "")}; " +
                $"unexpected: {string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", …" : "")})");
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in expected)
        {
            var source = file[name];
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{path}: tensor '{name}' is [{string.Join(", ", source.shape)}], the network expects [{string.Join(", ", target.shape)}]");
            target.copy_(source.to(target.dtype).to(target.device));
        }
    }

    /// <summary>Deserialises a config record, naming the file and type on failure.</summary>
    public static T ParseConfig<T>(string json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"{what}: the config is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: the config is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The device of a module's first parameter (CPU for a module without parameters).</summary>
    public static Device DeviceOf(nn.Module network) =>
        network.parameters().FirstOrDefault()?.device ?? torch.CPU;
}
