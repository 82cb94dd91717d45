using System.Text.Json;
using MedAnomaly.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>
/// Reading diffusers' checkpoints of a <c>UNet2DModel</c>: the folder <c>save_pretrained</c> writes (DISYRE's
/// <c>checkpoint-N/unet</c> and <c>unet_ema</c>), holding config.json and diffusion_pytorch_model.safetensors.
/// </summary>
public sealed partial class DiffusersUNet2d
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "diffusion_pytorch_model.safetensors";

    /// <summary>Builds the network a diffusers checkpoint describes and loads its weights.</summary>
    /// <param name="folderOrFile">The checkpoint folder, or its config.json or its .safetensors file (the other file
    /// is read from the same folder).</param>
    public static DiffusersUNet2d LoadDiffusers(string folderOrFile)
    {
        var (configPath, weightsPath) = CheckpointFiles(folderOrFile);
        var model = new DiffusersUNet2d(ConfigFromDiffusers(File.ReadAllText(configPath)));
        try
        {
            model.LoadDiffusersWeights(weightsPath);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static (string Config, string Weights) CheckpointFiles(string folderOrFile)
    {
        string folder = Directory.Exists(folderOrFile) ? folderOrFile
            : File.Exists(folderOrFile) ? Path.GetDirectoryName(Path.GetFullPath(folderOrFile))!
            : throw new FileNotFoundException($"no diffusers checkpoint at '{folderOrFile}' (expected a folder holding {ConfigFileName} and {WeightsFileName})", folderOrFile);
        string config = Path.Combine(folder, ConfigFileName);
        string weights = File.Exists(folderOrFile) && folderOrFile.EndsWith(".safetensors", StringComparison.Ordinal)
            ? folderOrFile : Path.Combine(folder, WeightsFileName);
        if (!File.Exists(config)) throw new FileNotFoundException($"no {ConfigFileName} in '{folder}'", config);
        if (!File.Exists(weights))
            throw new FileNotFoundException($"no {WeightsFileName} in '{folder}' (only safetensors checkpoints are read, not pickled .bin files)", weights);
        return (config, weights);
    }

    /// <summary>
    /// Copies the tensors of a diffusers safetensors file into the parameters, by name (the legacy attention names
    /// query / key / value / proj_attn are read as to_q / to_k / to_v / to_out.0, as diffusers does). Nothing is
    /// copied unless every parameter has exactly one tensor of its shape and the file has no other tensor;
    /// otherwise <see cref="InvalidDataException"/> names the tensor.
    /// </summary>
    public void LoadDiffusersWeights(string safetensorsPath)
    {
        using var file = Safetensors.Load(safetensorsPath);
        var byName = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in file.Tensors)
            if (!byName.TryAdd(ModernAttentionName(name), tensor))
                throw Bad(safetensorsPath, $"tensor '{name}' is stored under both its legacy and its current name");
        var targets = named_parameters().ToList();
        foreach (var (name, parameter) in targets)
        {
            if (!byName.TryGetValue(name, out var source))
                throw Bad(safetensorsPath, $"no tensor '{name}' (the network has {targets.Count} parameters, the file {byName.Count} tensors)");
            if (!source.shape.SequenceEqual(parameter.shape))
                throw Bad(safetensorsPath, $"tensor '{name}' has shape [{string.Join(", ", source.shape)}], the network expects [{string.Join(", ", parameter.shape)}]");
            if (!source.is_floating_point())
                throw Bad(safetensorsPath, $"tensor '{name}' is {source.dtype}, expected a floating-point dtype");
        }
        var known = targets.Select(p => p.name).ToHashSet();
        foreach (var name in byName.Keys)
            if (!known.Contains(name)) throw Bad(safetensorsPath, $"unexpected tensor '{name}': the network has no such parameter");
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in targets) parameter.copy_(byName[name]);
    }

    static InvalidDataException Bad(string path, string message) => new($"{path}: not a checkpoint of this DiffusersUNet2d: {message}");

    /// <summary>modeling_utils.py <c>_convert_deprecated_attention_blocks</c>: attentions.i.query → attentions.i.to_q, etc.</summary>
    static string ModernAttentionName(string name)
    {
        var parts = name.Split('.');
        if (parts.Length < 4 || parts[^4] != "attentions") return name;
        string? modern = parts[^2] switch { "query" => "to_q", "key" => "to_k", "value" => "to_v", "proj_attn" => "to_out.0", _ => null };
        return modern is null ? name : string.Join('.', parts[..^2]) + "." + modern + "." + parts[^1];
    }

    // ------------------------------------------------------------------ config.json

    /// <summary>
    /// The <see cref="UNet2dConfig"/> (Layout = Diffusers) of a diffusers <c>UNet2DModel</c> config.json. Keys it
    /// lacks take UNet2DModel's defaults; sample_size and num_train_timesteps do not change the network; keys starting
    /// with "_" and the EMA state EMAModel.save_pretrained adds are ignored. Any other key, block type or setting this
    /// network does not implement gives an <see cref="ArgumentException"/> naming the key.
    /// </summary>
    public static UNet2dConfig ConfigFromDiffusers(string configJson)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(configJson); }
        catch (JsonException e) { throw new ArgumentException($"diffusers config.json is not valid JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"diffusers config.json must be a JSON object, found {root.ValueKind}");
            CheckKeys(root);
            CheckDefaults(root);
            var down = BlockTypes(root, "down_block_types", ["DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"], "DownBlock2D", "AttnDownBlock2D");
            var up = BlockTypes(root, "up_block_types", ["AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"], "UpBlock2D", "AttnUpBlock2D");
            var channels = root.TryGetProperty("block_out_channels", out var c) ? Integers(c, "block_out_channels") : [224, 448, 672, 896];
            var attentionLevels = AttentionLevels(down, up, channels.Length);
            int groups = Integer(root, "norm_num_groups", 32);
            if (root.TryGetProperty("attn_norm_num_groups", out var attnGroups) && attnGroups.ValueKind != JsonValueKind.Null
                && !(attnGroups.TryGetInt32(out int ag) && ag == groups))
                throw Unsupported("attn_norm_num_groups", attnGroups, $"null or norm_num_groups ({groups})");
            bool headDimNull = root.TryGetProperty("attention_head_dim", out var headDim) && headDim.ValueKind == JsonValueKind.Null;
            return new UNet2dConfig
            {
                Layout = UNetLayout.Diffusers,
                InChannels = Integer(root, "in_channels", 3),
                OutChannels = Integer(root, "out_channels", 3),
                Channels = channels,
                LayersPerBlock = Integer(root, "layers_per_block", 2),
                AttentionLevels = attentionLevels,
                GroupNormGroups = groups,
                AttentionHeadDim = headDimNull ? 0 : Integer(root, "attention_head_dim", 8),
                AttentionHeads = 1,   // attention_head_dim null: one head as wide as the layer
                Dropout = Number(root, "dropout", 0),
                TimeConditioned = true,
            };
        }
    }

    static readonly HashSet<string> ReadKeys =
    [
        "sample_size", "in_channels", "out_channels", "center_input_sample", "time_embedding_type", "freq_shift", "flip_sin_to_cos",
        "down_block_types", "up_block_types", "block_out_channels", "layers_per_block", "mid_block_scale_factor",
        "downsample_padding", "downsample_type", "upsample_type", "dropout", "act_fn", "attention_head_dim", "norm_num_groups",
        "attn_norm_num_groups", "norm_eps", "resnet_time_scale_shift", "add_attention", "class_embed_type", "num_class_embeds",
        "num_train_timesteps",
    ];

    /// <summary>What diffusers' EMAModel.save_pretrained adds to the config (training_utils.py, EMAModel.state_dict).</summary>
    static readonly HashSet<string> EmaKeys = ["decay", "min_decay", "optimization_step", "update_after_step", "use_ema_warmup", "inv_gamma", "power"];

    static void CheckKeys(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == "_class_name" && property.Value.GetRawText() != "\"UNet2DModel\"")
                throw Unsupported("_class_name", property.Value, "\"UNet2DModel\"");
            if (property.Name.StartsWith('_') || EmaKeys.Contains(property.Name)) continue;
            if (!ReadKeys.Contains(property.Name))
                throw new ArgumentException($"diffusers config.json: '{property.Name}' is not a UNet2DModel setting this network implements");
        }
    }

    /// <summary>Settings this network implements only at UNet2DModel's default value.</summary>
    static void CheckDefaults(JsonElement root)
    {
        Require(root, "center_input_sample", v => v.ValueKind == JsonValueKind.False, "false");
        Require(root, "time_embedding_type", v => v.ValueKind == JsonValueKind.String && v.GetString() == "positional", "\"positional\"");
        Require(root, "freq_shift", v => IsNumber(v, 0), "0");
        Require(root, "flip_sin_to_cos", v => v.ValueKind == JsonValueKind.True, "true");
        Require(root, "mid_block_scale_factor", v => IsNumber(v, 1), "1");
        Require(root, "downsample_padding", v => IsNumber(v, 1), "1");
        Require(root, "downsample_type", v => v.ValueKind == JsonValueKind.String && v.GetString() == "conv", "\"conv\"");
        Require(root, "upsample_type", v => v.ValueKind == JsonValueKind.String && v.GetString() == "conv", "\"conv\"");
        Require(root, "act_fn", v => v.ValueKind == JsonValueKind.String && v.GetString() is "silu" or "swish", "\"silu\"");
        Require(root, "norm_eps", v => IsNumber(v, 1e-5), "1e-05");
        Require(root, "resnet_time_scale_shift", v => v.ValueKind == JsonValueKind.String && v.GetString() == "default", "\"default\"");
        Require(root, "add_attention", v => v.ValueKind == JsonValueKind.True, "true");
        Require(root, "class_embed_type", v => v.ValueKind == JsonValueKind.Null, "null");
        Require(root, "num_class_embeds", v => v.ValueKind == JsonValueKind.Null, "null");
    }

    static void Require(JsonElement root, string key, Func<JsonElement, bool> isSupported, string supported)
    {
        if (root.TryGetProperty(key, out var value) && !isSupported(value)) throw Unsupported(key, value, supported);
    }

    static bool IsNumber(JsonElement v, double expected) => v.ValueKind == JsonValueKind.Number && v.GetDouble() == expected;

    static ArgumentException Unsupported(string key, JsonElement value, string supported) =>
        new($"diffusers config.json: {key} = {value.GetRawText()} is not supported (this network implements {supported})");

    static int Integer(JsonElement root, string key, int fallback)
    {
        if (!root.TryGetProperty(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Unsupported(key, v, "an integer");
    }

    static double Number(JsonElement root, string key, double fallback)
    {
        if (!root.TryGetProperty(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Unsupported(key, v, "a number");
    }

    static int[] Integers(JsonElement array, string key)
    {
        if (array.ValueKind != JsonValueKind.Array) throw Unsupported(key, array, "a list of integers");
        return array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
            : throw Unsupported(key, array, "a list of integers")).ToArray();
    }

    /// <summary>The block types, each checked to be <paramref name="plain"/> or <paramref name="withAttention"/>
    /// (a "UNetRes" prefix dropped, as get_down_block / get_up_block do).</summary>
    static string[] BlockTypes(JsonElement root, string key, string[] fallback, string plain, string withAttention)
    {
        if (!root.TryGetProperty(key, out var array)) return fallback;
        if (array.ValueKind != JsonValueKind.Array) throw Unsupported(key, array, "a list of block types");
        var types = array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToArray();
        for (int i = 0; i < types.Length; i++)
        {
            if (types[i].StartsWith("UNetRes", StringComparison.Ordinal)) types[i] = types[i]["UNetRes".Length..];
            if (types[i] != plain && types[i] != withAttention)
                throw new ArgumentException($"diffusers config.json: {key}[{i}] = \"{types[i]}\" is not supported (this network implements {plain} and {withAttention})");
        }
        return types;
    }

    /// <summary>The levels whose down block has attention; the up blocks must mirror them.</summary>
    static int[] AttentionLevels(string[] down, string[] up, int levels)
    {
        if (down.Length != levels || up.Length != levels)
            throw new ArgumentException($"diffusers config.json: block_out_channels has {levels} entries, down_block_types {down.Length}, up_block_types {up.Length}; they must agree");
        for (int i = 0; i < levels; i++)
        {
            bool downAttention = down[levels - 1 - i] == "AttnDownBlock2D", upAttention = up[i] == "AttnUpBlock2D";
            if (downAttention != upAttention)
                throw new ArgumentException($"diffusers config.json: up_block_types[{i}] = \"{up[i]}\" does not mirror down_block_types[{levels - 1 - i}] = \"{down[levels - 1 - i]}\" (this network puts attention at the same levels on both paths)");
        }
        return Enumerable.Range(0, levels).Where(level => down[level] == "AttnDownBlock2D").ToArray();
    }
}
