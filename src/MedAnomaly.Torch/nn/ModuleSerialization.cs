namespace MedAnomaly.Torch.Modules;

/// <summary>Module weights to and from safetensors files (no pickle, no code runs on load).</summary>
public static class ModuleSerialization
{
    /// <summary>
    /// Writes the module's state_dict (parameters and persistent buffers, copied to CPU) to a safetensors
    /// file, with string metadata (e.g. the JSON of the module's config record). Written to a temp file, then renamed.
    /// </summary>
    public static void save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Save(path, module.state_dict(), metadata);

    /// <summary>
    /// Loads weights saved by <see cref="save"/> (or by PyTorch's safetensors.torch.save_file) into the module,
    /// with load_state_dict's key and shape checks; returns the file's metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, string> load(this Module module, string path, bool strict = true)
    {
        using var file = Safetensors.Load(path);
        module.load_state_dict(file.Tensors, strict);
        return file.Metadata;
    }
}
