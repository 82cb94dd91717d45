using System.Diagnostics;
using MedAnomaly.Data;
using MedAnomaly.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedAnomaly.Training;

/// <summary>
/// The one training loop every method uses. The method supplies an <see cref="ITrainingObjective"/> (its network and
/// the loss of one batch); the trainer owns the rest:
/// <code>
/// for step = start … Steps−1:                       batches in Batcher(data, BatchSize, Seed){DropLast}.Epoch(e) order
///     loss = objective.Loss(x, foreground, labels, rng)   (bf16 forward/backward under Precision.BFloat16, see MixedPrecision)
///     non-finite loss → InvalidOperationException naming the step (nothing is checkpointed after it)
///     loss.backward(); clip_grad_norm_(GradientClip); AdamW.step(); lr ← base·factor(step+1); EMA update
///     checkpoint every CheckpointEvery steps, CheckpointSeconds after the last one, at the end, and when cancelled
/// </code>
/// Deterministic on CPU: torch's default generator is seeded with <see cref="TrainingOptions.Seed"/>, the objective's
/// generator with Seed too, and both are checkpointed, so a resumed run reproduces an uninterrupted one bit for bit.
/// When an EMA is kept, the network holds the averaged weights when <see cref="Run"/> returns (the checkpoint keeps both).
/// </summary>
public static class Trainer
{
    const double AdamEpsilon = 1e-8;

    public static TrainingResult Run(ITrainingObjective objective, SliceDataset data, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        Validate(data, options);
        var device = options.Device is null ? torch.CPU : torch.device(options.Device);
        var network = objective.Network;
        network.to(device);
        network.train();
        torch.manual_seed((long)options.Seed);

        using var mixed = options.Precision == Precision.BFloat16 ? new MixedPrecision(network) : null;
        var names = network.named_parameters().Select(p => p.name).ToList();
        var parameters = (mixed?.Master ?? network.parameters()).ToList();   // what AdamW updates (float32)
        var optimised = names.Zip(parameters, (name, p) => (name, p)).ToList();

        using var optimizer = optim.AdamW(parameters, options.LearningRate, options.Beta1, options.Beta2, AdamEpsilon, options.WeightDecay);
        var schedule = optim.lr_scheduler.LambdaLR(optimizer, step => LearningRateFactor(step, options));
        using var ema = options.EmaDecay is double decay ? new ExponentialMovingAverage(optimised.Select(p => (p.name, (Tensor)p.p)), decay) : null;
        using var rng = new Generator(options.Seed);
        var parts = new TrainingCheckpoint.Parts(network, optimised, optimizer, ema, rng);

        int start = 0;
        if (options.CheckpointPath is { } path && File.Exists(path))
        {
            var info = TrainingCheckpoint.Load(path, parts, options);
            start = info.Step;
            for (int i = 0; i < info.ScheduleStep; i++) schedule.step();   // fast-forward the learning-rate schedule
        }

        var losses = new List<(int Step, double Loss)>();
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        var batcher = new Batcher(data, options.BatchSize, options.Seed) { DropLast = true };
        int perEpoch = data.Count / options.BatchSize;
        int step = start;
        bool cancelled = false;
        while (step < options.Steps && !cancelled)
        {
            // Resuming mid-epoch: the batches of this epoch that were already trained on are skipped.
            foreach (var batch in batcher.Epoch(step / perEpoch).Skip(step % perEpoch))
            {
                double lr = optimizer.ParamGroups.First().LearningRate;
                // No GC during the step: TorchSharp 0.107 lets a collection free a temporary Scalar mid-call (NoGcRegion).
                double loss = NoGcRegion.Run(() =>
                {
                    double stepLoss = Step(objective, mixed, optimizer, parameters, batch, device, rng, options, step);
                    schedule.step();
                    ema?.Update();
                    return stepLoss;
                });
                step++;
                losses.Add((step, loss));
                progress?.Report(new TrainingProgress(step, options.Steps, loss, lr, clock.Elapsed));
                cancelled = ct.IsCancellationRequested;
                if (cancelled || step >= options.Steps) break;
                if (CheckpointDue(step, sinceCheckpoint.Elapsed, options))
                {
                    Checkpoint(parts, step, options);
                    sinceCheckpoint.Restart();
                }
            }
        }
        Checkpoint(parts, step, options);
        ema?.CopyTo();
        mixed?.Finish();
        return new TrainingResult(losses, step, cancelled, clock.Elapsed.TotalSeconds / Math.Max(1, losses.Count));
    }

    /// <summary>One optimisation step; returns the loss (float32 value as a double).</summary>
    static double Step(ITrainingObjective objective, MixedPrecision? mixed, optim.Optimizer optimizer, List<Parameter> parameters,
        Batch batch, Device device, Generator rng, TrainingOptions options, int step)
    {
        using var scope = torch.NewDisposeScope();
        using var tensors = batch.ToTensors(device);
        optimizer.zero_grad();
        Tensor images = tensors.Images, foreground = tensors.Foreground;
        var labels = torch.tensor(batch.Labels.Select(l => (long)l).ToArray(), device: device);
        if (mixed is not null)
        {
            objective.Network.zero_grad();
            mixed.CopyMasterToNetwork();
            images = images.to(ScalarType.BFloat16);
            foreground = foreground.to(ScalarType.BFloat16);
        }
        var loss = objective.Loss(images, foreground, labels, rng).to(ScalarType.Float32);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"training diverged at step {step + 1} of {options.Steps}: the loss is {value} " +
                "(lower the learning rate, check the inputs; no checkpoint was written after this step)");
        loss.backward();
        mixed?.CopyGradientsToMaster();
        if (options.GradientClip > 0) nn.utils.clip_grad_norm_(parameters, options.GradientClip);
        optimizer.step();
        return value;
    }

    /// <summary>Warm-up then cosine decay (<see cref="WarmupCosineSchedule"/>), or constant after the warm-up.</summary>
    public static double LearningRateFactor(int step, TrainingOptions options) =>
        options.CosineDecay ? WarmupCosineSchedule.Factor(step, options.WarmupSteps, options.Steps)
            : step < options.WarmupSteps ? (double)step / options.WarmupSteps : 1.0;

    /// <summary>Every <see cref="TrainingOptions.CheckpointEvery"/> steps, or once <see cref="TrainingOptions.CheckpointSeconds"/>
    /// have passed since the last checkpoint (a killed run then loses at most that much work).</summary>
    public static bool CheckpointDue(int step, TimeSpan sinceLast, TrainingOptions options) =>
        (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
        || (options.CheckpointSeconds > 0 && sinceLast.TotalSeconds >= options.CheckpointSeconds);

    static void Checkpoint(TrainingCheckpoint.Parts parts, int step, TrainingOptions options)
    {
        if (options.CheckpointPath is { } path) TrainingCheckpoint.Save(path, parts, step, scheduleStep: step, options);
    }

    /// <summary>Checks the options (<see cref="TrainingOptions.Validate"/>), that the data holds one batch and that no slice
    /// carries a lesion: training reads images, brain masks and image labels, never lesion masks (a weakly labelled split
    /// is loaded without them, <see cref="SliceDataset.WithoutMasks"/>). What <see cref="Run"/> checks first, callable
    /// before anything is recorded.</summary>
    /// <exception cref="ArgumentException">What does not fit, and what was expected.</exception>
    public static void Validate(SliceDataset data, TrainingOptions o)
    {
        o.Validate();
        if (data.Count < o.BatchSize)
            throw new ArgumentException($"the training set has {data.Count} slices, fewer than one batch of {o.BatchSize} (training option BatchSize)", nameof(data));
        if (data.Items.FirstOrDefault(i => i.Mask is not null && i.Mask.Any(v => v != 0)) is { } masked)
            throw new ArgumentException($"the training slice {masked.Origin} carries a lesion mask; training never reads masks: " +
                                        "load a weakly labelled split with its labels only (SliceDataset.WithoutMasks, \"slice_labels\": \"from_mask\")", nameof(data));
    }
}
