using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MedAnomaly.Methods;
using MedAnomaly.Runtime;
using MedAnomaly.Training;

namespace MedAnomaly.Experiments;

/// <summary>A detector ready to train and the options to train it with (a method's preset plus overrides).</summary>
public sealed record MethodSetup(string Method, IAnomalyDetector Detector, TrainingOptions Training)
{
    /// <summary>How the run's maps become metrics (recorded in the run's config).</summary>
    public EvaluationSettings Evaluation { get; init; } = EvaluationSettings.Default;
}

/// <summary>One finished run: its id in the store, its metrics and the test set's maps.</summary>
public sealed record RunOutcome(long RunId, IReadOnlyList<MetricValue> Metrics, ScoredSet Scored);

/// <summary>
/// One run from start to finish, recorded in the run store: begin (config, seed, command, versions) → train
/// (checkpointed, resumable) → save the model → score the test split → metrics → complete, all or nothing. A run
/// that throws is marked failed with the message; Ctrl-C (cancellation) writes a checkpoint and marks it
/// cancelled. Rerunning the same command resumes from that checkpoint; after a completed run the checkpoint is
/// removed, so a rerun trains again from scratch (and, on CPU, reproduces every metric).
/// </summary>
public static class ExperimentRunner
{
    public static RunOutcome Run(RunStore store, ExperimentData data, MethodSetup setup, ulong seed, string runsFolder,
                                 string command, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default,
                                 IProgress<WorkProgress>? work = null)
    {
        setup.Evaluation.Validate();
        var trainingSet = data.TrainingSetFor(setup.Detector.Supervision);   // healthy slices, or image-labelled ones for a weakly supervised method
        Trainer.Validate(trainingSet, setup.Training);   // every option and the device, before the run is recorded
        string config = ConfigJson(setup, seed);
        string checkpoint = CheckpointPath(runsFolder, setup.Method, data.Name, seed, config);
        long id = store.BeginRun(new RunInfo(setup.Method, data.Name, config, unchecked((long)seed), command)
        {
            // The thread count is part of what ran: libtorch's reductions can round differently with another count.
            Machine = $"{RunInfo.DescribeMachine()}, libtorch threads {TorchSharp.torch.get_num_threads()}",
            LibtorchVersion = TorchNative.LibTorchVersion,
            TorchSharpVersion = TorchNative.TorchSharpVersion,
        });
        try
        {
            var training = setup.Training with { Seed = seed, CheckpointPath = checkpoint };
            var result = setup.Detector.Fit(trainingSet, training, progress, ct);
            if (result.Cancelled)
            {
                store.CancelRun(id, $"cancelled at step {result.FinalStep}; the checkpoint {checkpoint} resumes it: {command}");
                throw new OperationCanceledException($"run {id} cancelled at step {result.FinalStep}; rerun `{command}` to resume");
            }
            return Finish(store, id, data, setup, runsFolder, checkpoint, result, work);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            store.FailRun(id, e.Message);
            throw;
        }
    }

    static RunOutcome Finish(RunStore store, long id, ExperimentData data, MethodSetup setup, string runsFolder, string checkpoint, TrainingResult result,
                             IProgress<WorkProgress>? work)
    {
        string folder = Path.Combine(runsFolder, id.ToString());
        Directory.CreateDirectory(folder);
        string model = Path.Combine(folder, "model.safetensors");
        setup.Detector.Save(model);
        store.RecordArtifact(id, "model", model);
        var scored = ScoredSet.Score(setup.Detector, data.Test, device: setup.Training.Device, progress: work);
        var metrics = scored.Metrics(setup.Evaluation, data.TestVolumeIds(), work).ToList();
        metrics.Add(new MetricValue("train", "final_loss", result.Losses.Count > 0 ? result.Losses[^1].Loss : double.NaN, "training loss of the last step"));
        metrics.Add(new MetricValue("train", "seconds_per_step", result.SecondsPerStep, "wall-clock seconds per training step (this machine)"));
        store.CompleteRun(id, metrics);
        File.Delete(checkpoint);
        return new RunOutcome(id, metrics, scored);
    }

    /// <summary>The full configuration: the method's config, its supervision and training split, the training options (seed
    /// included) and the evaluation.</summary>
    public static string ConfigJson(MethodSetup setup, ulong seed)
    {
        var training = System.Text.Json.JsonSerializer.SerializeToNode(setup.Training with { Seed = seed, CheckpointPath = null }, ConfigOverrides.Json);
        var root = new JsonObject
        {
            ["method"] = setup.Method,
            ["config"] = JsonNode.Parse(setup.Detector.ConfigJson),
            ["supervision"] = setup.Detector.Supervision.Label(),
            ["training_split"] = ExperimentData.TrainingSplitName(setup.Detector.Supervision),
            ["training"] = training,
            ["evaluation"] = EvaluationJson(setup.Evaluation),
        };
        return root.ToJsonString();
    }

    static JsonObject EvaluationJson(EvaluationSettings evaluation) => new()
    {
        ["image_score"] = evaluation.ImageScore.ToString(),
        ["post_processing"] = new JsonArray(evaluation.PostProcessing.Select(p => (JsonNode)p.Name).ToArray()),
    };

    /// <summary>The evaluation settings recorded in a run's config (<see cref="ConfigJson"/>); the defaults for runs recorded
    /// before they were.</summary>
    /// <summary>The supervision a run's stored configuration names ("none" for runs stored before it was recorded).</summary>
    public static string SupervisionOf(string runConfigJson) =>
        JsonNode.Parse(runConfigJson)?["supervision"] is JsonValue value ? value.GetValue<string>() : Supervision.None.Label();

    public static EvaluationSettings EvaluationOf(string runConfigJson)
    {
        if (JsonNode.Parse(runConfigJson)?["evaluation"] is not JsonObject e) return new EvaluationSettings { PostProcessing = [Metrics.MapPostProcessing.None] };
        if (e["image_score"] is not JsonValue score || e["post_processing"] is not JsonArray posts)
            throw new InvalidDataException($"the run's evaluation settings lack image_score or post_processing: {e.ToJsonString()}");
        return new EvaluationSettings
        {
            ImageScore = Metrics.ImageScoring.Parse(score.GetValue<string>()),
            PostProcessing = posts.Select(p => Metrics.MapPostProcessing.Parse(p?.GetValue<string>() ?? "null")).ToList(),
        };
    }

    /// <summary>One checkpoint per (method, dataset, seed, configuration), so rerunning a command resumes it.</summary>
    static string CheckpointPath(string runsFolder, string method, string dataset, ulong seed, string config)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config)))[..12];
        var folder = Path.Combine(runsFolder, "checkpoints");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{method}-{dataset}-seed{seed}-{hash}.safetensors");
    }
}
