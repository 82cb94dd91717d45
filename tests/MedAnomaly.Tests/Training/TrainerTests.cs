using MedAnomaly.Data;
using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Training;

/// <summary>A 2-convolution denoiser with dropout: its loss draws from the trainer's generator (noise) and from
/// torch's default generator (dropout), so resuming must restore both.</summary>
sealed class TinyDenoiser : nn.Module<Tensor, Tensor>, ITrainingObjective
{
    readonly nn.Module<Tensor, Tensor> conv1, conv2, dropout;

    public TinyDenoiser(long seed) : base(nameof(TinyDenoiser))
    {
        torch.manual_seed(seed);
        conv1 = Conv.Conv2d(1, 16, 3, padding: 1);
        conv2 = Conv.Conv2d(16, 1, 3, padding: 1);
        dropout = nn.Dropout(0.1);
        RegisterComponents();
    }

    public nn.Module Network => this;
    public Func<Tensor, Tensor>? LossOverride { get; init; }

    public override Tensor forward(Tensor x) => conv2.forward(dropout.forward(F.relu(conv1.forward(x))));

    public Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        var noisy = images + 0.1 * torch.randn(images.shape, generator: rng).to(images.dtype);
        var loss = F.mse_loss(forward(noisy).to(ScalarType.Float32), images.to(ScalarType.Float32));
        return LossOverride?.Invoke(loss) ?? loss;
    }

    /// <summary>16 random 16×16 slices in [0,1] (seeded).</summary>
    public static SliceDataset Data(int count = 16, int size = 16)
    {
        var random = new Random(7);
        var items = Enumerable.Range(0, count).Select(i =>
        {
            var image = Enumerable.Range(0, size * size).Select(_ => (float)random.NextDouble()).ToArray();
            return new SliceItem(image, size, size, 0, null, Enumerable.Repeat((byte)1, size * size).ToArray(), $"random-{i}", -1, 0, "train");
        }).ToList();
        return new SliceDataset(items);
    }

    public float[] Weights() => parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
}

[Collection(GlobalTorchStateCollection.Name)]
public class TrainerTests
{
    static readonly TrainingOptions Options = new()
    {
        Steps = 12, BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 2, Seed = 11, EmaDecay = 0.9, GradientClip = 1.0,
    };

    /// <summary>Trains a fresh <see cref="TinyDenoiser"/>; with <paramref name="stopAfter"/>, cancels at that step.</summary>
    static (TrainingResult Result, float[] Weights) Train(TrainingOptions options, int? stopAfter = null)
    {
        using var net = new TinyDenoiser(5);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Step == stopAfter) cts.Cancel(); });
        var result = Trainer.Run(net, TinyDenoiser.Data(), options, progress, cts.Token);
        return (result, net.Weights());
    }

    static double[] Losses(TrainingResult r) => r.Losses.Select(l => l.Loss).ToArray();

    [Fact]
    public void Loss_decreases()
    {
        var (result, _) = Train(Options with { Steps = 30, EmaDecay = null });
        var losses = Losses(result);
        Assert.Equal(30, losses.Length);
        Assert.True(losses.TakeLast(5).Average() < 0.5 * losses.Take(5).Average(), string.Join(", ", losses));
        Assert.Equal(30, result.FinalStep);
        Assert.False(result.Cancelled);
    }

    [Fact]
    public void Same_seed_gives_identical_losses_and_weights()
    {
        var a = Train(Options);
        var b = Train(Options);
        Assert.Equal(Losses(a.Result), Losses(b.Result));
        Assert.Equal(a.Weights, b.Weights);
        var c = Train(Options with { Seed = 12 });
        Assert.NotEqual(Losses(a.Result), Losses(c.Result));
    }

    /// <summary>12 steps in one call = 6 steps with a checkpoint (batches per epoch = 4, so mid-epoch; cancelled there) + a new call
    /// from the checkpoint to 12: the same losses and bit-identical weights (EMA included).</summary>
    [Fact]
    public void Resume_from_checkpoint_is_exact()
    {
        using var folder = new TemporaryFolder();
        var full = Train(Options);
        var path = Path.Combine(folder.Path, "run.safetensors");
        var first = Train(Options with { Steps = 12, CheckpointPath = path, CheckpointEvery = 5 }, stopAfter: 6);
        Assert.True(first.Result.Cancelled);
        Assert.Equal(6, TrainingCheckpoint.ReadInfo(path).Step);
        var second = Train(Options with { CheckpointPath = path });
        Assert.Equal(Enumerable.Range(7, 6), second.Result.Losses.Select(l => l.Step));
        Assert.Equal(Losses(full.Result).Take(6), Losses(first.Result));
        Assert.Equal(Losses(full.Result).Skip(6), Losses(second.Result));
        Assert.Equal(full.Weights, second.Weights);
        Assert.Equal(12, TrainingCheckpoint.ReadInfo(path).Step);
        Assert.Single(Directory.GetFiles(folder.Path));   // no temporary file left behind
    }

    [Fact]
    public void Cancellation_finishes_the_step_and_writes_a_checkpoint()
    {
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "run.safetensors");
        using var cts = new CancellationTokenSource();
        using var net = new TinyDenoiser(5);
        var progress = new SyncProgress(p => { if (p.Step == 3) cts.Cancel(); });
        var result = Trainer.Run(net, TinyDenoiser.Data(), Options with { CheckpointPath = path }, progress, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(3, result.FinalStep);
        Assert.Equal(3, TrainingCheckpoint.ReadInfo(path).Step);
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Non_finite_loss_names_the_step_and_writes_nothing()
    {
        using var folder = new TemporaryFolder();
        var path = Path.Combine(folder.Path, "run.safetensors");
        int calls = 0;
        using var net = new TinyDenoiser(5) { LossOverride = l => ++calls == 4 ? l * double.NaN : l };
        var error = Assert.Throws<InvalidOperationException>(() =>
            Trainer.Run(net, TinyDenoiser.Data(), Options with { CheckpointPath = path, CheckpointEvery = 2 }));
        Assert.Contains("step 4 of 12", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Equal(2, TrainingCheckpoint.ReadInfo(path).Step);   // the step-2 checkpoint; nothing after the NaN
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void BFloat16_trains_with_float32_masters()
    {
        using var net = new TinyDenoiser(5);
        var result = Trainer.Run(net, TinyDenoiser.Data(), Options with { Steps = 30, EmaDecay = null, Precision = Precision.BFloat16 });
        var losses = Losses(result);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses.TakeLast(5).Average() < 0.5 * losses.Take(5).Average(), string.Join(", ", losses));
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        // The float32 run's losses differ only by bf16 rounding.
        using var reference = new TinyDenoiser(5);
        var fp32 = Losses(Trainer.Run(reference, TinyDenoiser.Data(), Options with { Steps = 30, EmaDecay = null }));
        Assert.InRange(Math.Abs(losses[0] - fp32[0]) / fp32[0], 0, 0.05);
    }

    [Fact]
    public void Progress_reports_every_step_with_the_schedule()
    {
        var reports = new List<TrainingProgress>();
        using var net = new TinyDenoiser(5);
        Trainer.Run(net, TinyDenoiser.Data(), Options with { EmaDecay = null }, new SyncProgress(reports.Add));
        Assert.Equal(Enumerable.Range(1, 12), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(12, r.TotalSteps));
        // warm-up 2 then cosine to 0 at step 12 (WarmupCosineSchedule.Factor of the 0-based step)
        var expected = Enumerable.Range(0, 12).Select(s => 3e-3 * WarmupCosineSchedule.Factor(s, 2, 12));
        Assert.Equal(expected, reports.Select(r => r.LearningRate), new ToleranceComparer(1e-12));
        Assert.Equal(0.0, reports[0].LearningRate);
    }

    [Fact]
    public void Bad_options_are_named()
    {
        using var net = new TinyDenoiser(5);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(net, TinyDenoiser.Data(count: 3), Options));
        Assert.Contains("3 slices", e.Message);
        Assert.Contains("training option Steps = 0", Assert.Throws<ArgumentException>(() => Trainer.Run(net, TinyDenoiser.Data(), Options with { Steps = 0 })).Message);
    }

    sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
