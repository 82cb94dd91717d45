using System.Globalization;
using System.Text.Json;
using MedAnomaly.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>Where a checkpointed run stands (the safetensors metadata of a <see cref="TrainingCheckpoint"/>).</summary>
public sealed record TrainingCheckpointInfo(int Step, int ScheduleStep, long OptimizerStep, long? EmaUpdates, ulong Seed, int BatchSize);

/// <summary>
/// The trainer's checkpoint: everything an interrupted run needs to continue exactly, in one safetensors file
/// (written to a temporary file in the same folder, then renamed — see <see cref="Safetensors.Save"/>).
/// <code>
/// param.{name}            the optimised float32 weights (the masters under bf16)
/// buffer.{name}           the network's buffers (BatchNorm statistics …)
/// adamw.exp_avg.{name}    AdamW's first moment      adamw.exp_avg_sq.{name}  its second moment
/// ema.{name}              the EMA shadow (when an EMA is kept)
/// rng.objective           the state of the generator handed to ITrainingObjective.Loss (uint8)
/// rng.torch               the state of torch's default CPU generator (uint8)
/// metadata: format, step, schedule_step, optimizer_step, ema_updates, seed, batch_size, options (JSON)
/// </code>
/// TorchSharp's AdamW keeps its moments in public <c>AdamW.State</c> fields; they are read and written in place.
/// </summary>
public static class TrainingCheckpoint
{
    public const string Format = "medanomaly-training-checkpoint/1";

    /// <summary>The pieces of a running training loop that a checkpoint captures (none owned).</summary>
    public sealed record Parts(nn.Module Network, IReadOnlyList<(string Name, Parameter Param)> Optimised,
        optim.Optimizer Optimizer, ExponentialMovingAverage? Ema, Generator Rng);

    public static void Save(string path, Parts parts, int step, int scheduleStep, TrainingOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, p) in parts.Optimised) tensors[$"param.{name}"] = p.detach();
        foreach (var (name, b) in parts.Network.named_buffers()) tensors[$"buffer.{name}"] = b.detach();
        var states = AdamStates(parts);
        for (int i = 0; i < states.Count; i++)
        {
            tensors[$"adamw.exp_avg.{parts.Optimised[i].Name}"] = states[i].exp_avg;
            tensors[$"adamw.exp_avg_sq.{parts.Optimised[i].Name}"] = states[i].exp_avg_sq;
        }
        if (parts.Ema is { } ema) foreach (var (name, t) in ema.state_dict()) tensors[$"ema.{name}"] = t;
        tensors["rng.objective"] = parts.Rng.get_state();
        tensors["rng.torch"] = torch.get_rng_state();
        var inv = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["step"] = step.ToString(inv),
            ["schedule_step"] = scheduleStep.ToString(inv),
            ["optimizer_step"] = (states.Count > 0 ? states[0].step : 0).ToString(inv),
            ["ema_updates"] = parts.Ema?.NumUpdates?.ToString(inv) ?? "",
            ["seed"] = options.Seed.ToString(inv),
            ["batch_size"] = options.BatchSize.ToString(inv),
            ["options"] = JsonSerializer.Serialize(options),
        };
        Safetensors.Save(path, tensors, metadata);
    }

    /// <summary>Reads only the metadata of a checkpoint.</summary>
    public static TrainingCheckpointInfo ReadInfo(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"training checkpoint {path}: metadata has no '{key}' (is it a {Format} file?)");
        if (Get("format") != Format) throw new InvalidDataException($"training checkpoint {path}: format '{Get("format")}', expected '{Format}'");
        var inv = CultureInfo.InvariantCulture;
        return new TrainingCheckpointInfo(int.Parse(Get("step"), inv), int.Parse(Get("schedule_step"), inv),
            long.Parse(Get("optimizer_step"), inv), Get("ema_updates") is { Length: > 0 } e ? long.Parse(e, inv) : null,
            ulong.Parse(Get("seed"), inv), int.Parse(Get("batch_size"), inv));
    }

    /// <summary>Restores every part in place from <paramref name="path"/>; the options must agree on seed and batch size
    /// (the batch order depends on both).</summary>
    public static TrainingCheckpointInfo Load(string path, Parts parts, TrainingOptions options)
    {
        var info = ReadInfo(path);
        if (info.Seed != options.Seed)
            throw new InvalidOperationException($"training checkpoint {path} was written with seed {info.Seed}, the options say {options.Seed}");
        if (info.BatchSize != options.BatchSize)
            throw new InvalidOperationException($"training checkpoint {path} was written with batch size {info.BatchSize}, the options say {options.BatchSize}");
        using var file = Safetensors.Load(path);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in parts.Optimised) CopyInto(file, path, $"param.{name}", p);
        foreach (var (name, b) in parts.Network.named_buffers()) CopyInto(file, path, $"buffer.{name}", b);
        var states = AdamStates(parts);
        for (int i = 0; i < states.Count; i++)
        {
            CopyInto(file, path, $"adamw.exp_avg.{parts.Optimised[i].Name}", states[i].exp_avg);
            CopyInto(file, path, $"adamw.exp_avg_sq.{parts.Optimised[i].Name}", states[i].exp_avg_sq);
            states[i].step = info.OptimizerStep;
        }
        if (parts.Ema is { } ema)
        {
            var shadow = ema.state_dict().Keys.ToDictionary(k => k, k => Tensor(file, path, $"ema.{k}"));
            ema.load_state_dict(shadow, info.EmaUpdates);
        }
        parts.Rng.set_state(Tensor(file, path, "rng.objective"));
        torch.set_rng_state(Tensor(file, path, "rng.torch"));
        return info;
    }

    static List<AdamW.State> AdamStates(Parts parts)
    {
        var states = parts.Optimizer is OptimizerHelper helper ? helper.state_dict().State : null;
        if (states is null || states.Count != parts.Optimised.Count || states.Any(s => s is not AdamW.State))
            throw new InvalidOperationException("the training checkpoint expects one TorchSharp AdamW state per optimised parameter");
        return states.Cast<AdamW.State>().ToList();
    }

    static Tensor Tensor(SafetensorsFile file, string path, string name) =>
        file.Tensors.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"training checkpoint {path} has no tensor '{name}' (was it written for another network?)");

    static void CopyInto(SafetensorsFile file, string path, string name, Tensor target)
    {
        var source = Tensor(file, path, name);
        if (!source.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"training checkpoint {path}: '{name}' has shape [{string.Join(", ", source.shape)}], " +
                                           $"the network expects [{string.Join(", ", target.shape)}]");
        target.copy_(source);
    }
}
