using MedAnomaly.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// A detector's saved form: the network's <c>state_dict()</c> (parameters and buffers, under their PyTorch names) as
/// safetensors, with metadata {"method": registry name, "config": the config record as JSON}, so
/// <see cref="DetectorRegistry.Load"/> can rebuild it and a PyTorch user can open it with <c>safetensors.torch.load_file</c>.
/// </summary>
public static class DetectorCheckpoint
{
    public const string MethodKey = "method";
    public const string ConfigKey = "config";

    public static void Save(string path, IAnomalyDetector detector, nn.Module network)
    {
        var tensors = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        Safetensors.Save(path, tensors, new Dictionary<string, string> { [MethodKey] = detector.Name, [ConfigKey] = detector.ConfigJson });
    }

    /// <summary>(method, config JSON) from the header of a detector file.</summary>
    public static (string Method, string ConfigJson) ReadHeader(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue(MethodKey, out var method) || !meta.TryGetValue(ConfigKey, out var config))
            throw new InvalidDataException($"{path} is not a saved detector: its safetensors metadata lacks '{MethodKey}' or '{ConfigKey}'");
        return (method, config);
    }

    /// <summary>Copies the saved tensors into <paramref name="network"/> by name (<see cref="StateDict.Load"/>).</summary>
    public static void LoadWeights(string path, nn.Module network) => StateDict.Load(path, network);

    /// <summary>The device of a module's first parameter (CPU for a module without parameters).</summary>
    public static Device DeviceOf(nn.Module network) => network.parameters().FirstOrDefault()?.device ?? torch.CPU;
}
