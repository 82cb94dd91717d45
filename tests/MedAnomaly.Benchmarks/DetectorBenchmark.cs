using System.Diagnostics;
using System.Text.Json;
using MedAnomaly.Data;
using MedAnomaly.Methods;
using MedAnomaly.Networks;
using MedAnomaly.Runtime;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// The diffusion detectors' costs: (1) per-slice scoring time at 64×64 with the quick networks — DISYRE
/// mean-single-step (4 steps), the DDPM quick preset (AnoDDPM's network at base 16, one DDIM step from λ), the same
/// network with 50 DDIM steps and with AnoDDPM's 250 ancestral steps; (2) DISYRE's published network
/// (<see cref="DiffusersUNet2d.DisyreConfig"/>, 26.3 M parameters) at 64×64 and 128×128: one training step (forward,
/// MSE, backward, clip 1.0, AdamW with DISYRE's settings) and per-slice scoring (mean-single-step, 4 steps, through
/// <see cref="Disyre.Score"/>) in C# and in PyTorch with diffusers' own UNet2DModel (peers/disyre_torch.py, diffusers
/// from the folder in MEDANOMALY_DIFFUSERS; skipped with a message when it is unset), taking turns step by step, with
/// the ratios of medians; plus the C# cost of DISYRE's objective (DAG corruption + severity mapping) on top; (3) the
/// shared trainer in bf16 mixed precision against float32 on DISYRE's objective (reference and quick UNet): seconds per
/// step and the loss after the same number of steps. Weights are untrained: timings do not depend on them.
/// --quick swaps in small networks and a few steps: it checks that everything runs (&lt; 1 minute), it measures nothing.
/// </summary>
public sealed class DetectorBenchmark : IBenchmark
{
    public string Name => "detectors";
    public string Description => "diffusion detectors: scoring ms/slice (quick networks), DISYRE's published UNet train step and scoring C# vs diffusers at 64² and 128², bf16 vs fp32 trainer";

    /// <summary>The folder(s) diffusers v0.27.2 and its dependencies are imported from by the peer (':'-separated).</summary>
    public const string DiffusersVariable = "MEDANOMALY_DIFFUSERS";

    /// <summary>The --quick network of the Ho layout: three levels (16, 32, 32), so the attention runs at H/4.</summary>
    static readonly UNet2dConfig CheckNetwork = new() { Channels = [16, 32, 32], AttentionLevels = [2] };

    /// <summary>The --quick network of the diffusers layout (DISYRE's block pattern at three levels, one layer per block).</summary>
    static readonly UNet2dConfig CheckDiffusersNetwork = DiffusersUNet2d.DisyreConfig with
    {
        Channels = [16, 32, 32], LayersPerBlock = 1, AttentionLevels = [1], GroupNormGroups = 8,
    };

    public void Run(bool quick)
    {
        int threads = torch.get_num_threads();
        Console.WriteLine($"threads {threads}{(quick ? ", quick run (small networks and batches, few repetitions)" : "")}");
        ScoringTimes(quick);
        PublishedNetwork(quick, threads);
        MixedPrecisionSpeedup(quick);
    }

    // ---------------------------------------------------------------- (1) scoring

    static void ScoringTimes(bool quick)
    {
        int batch = quick ? 1 : 8;
        using var images = BenchmarkData.Images(batch, 64, seed: 1);
        // --quick: the check networks and 10 reverse steps, to check that the benchmark runs (not a measurement).
        using var disyre = new Disyre(quick ? DisyreConfig.Quick with { Network = CheckDiffusersNetwork } : DisyreConfig.Quick);
        var ddpmConfig = quick ? DdpmConfig.Quick with { Network = CheckNetwork } : DdpmConfig.Quick;
        using var preset = new DdpmDetector(ddpmConfig);
        using var ddim = new DdpmDetector(ddpmConfig with { InferenceSteps = quick ? 10 : 50 });
        using var ancestral = new DdpmDetector(ddpmConfig with { Sampler = ReverseSampler.Ddpm, InferenceSteps = quick ? 10 : DdpmConfig.AnoDdpm.InferenceSteps });
        string net = quick ? "check" : "quick";
        var cases = new (string Label, IAnomalyDetector Detector, int Repeats)[]
        {
            ($"DISYRE mean-single-step, 4 steps, {net} UNet", disyre, 3),
            ($"DDPM quick preset: {preset.Config.InferenceSteps} DDIM step from t {preset.Config.TStart}, {preset.Config.Noise} noise, {net} UNet", preset, 3),
            // Many network calls each: the preset's row before them warms the same network's shapes up, so one timed call.
            ($"DDPM, {ddim.Config.InferenceSteps} DDIM steps from t {ddim.Config.TStart}, {net} UNet", ddim, 1),
            ($"DDPM, {ancestral.Config.InferenceSteps} ancestral steps from t {ancestral.Config.TStart} (AnoDDPM), {net} UNet", ancestral, 1),
        };
        foreach (var (label, detector, repeats) in cases)
        {
            if (!quick && repeats > 1) detector.Score(images).Dispose();   // warm-up
            var ms = new List<double>();
            for (int r = 0; r < (quick ? 1 : repeats); r++)
            {
                var clock = Stopwatch.StartNew();
                detector.Score(images).Dispose();
                ms.Add(clock.Elapsed.TotalMilliseconds / batch);
            }
            Console.WriteLine($"scoring {label,-72} {Statistics.Median(ms),9:F1} ms/slice (64×64, batch {batch})");
        }
    }

    // ---------------------------------------------------------------- (2) the published network vs diffusers

    /// <summary>DISYRE's published UNet: training step and per-slice scoring, C# against diffusers' UNet2DModel in PyTorch.</summary>
    static void PublishedNetwork(bool quick, int threads)
    {
        string? diffusers = Environment.GetEnvironmentVariable(DiffusersVariable);
        if (string.IsNullOrWhiteSpace(diffusers))
        {
            Console.WriteLine($"DISYRE's published UNet against diffusers' UNet2DModel: skipped. To run it, set {DiffusersVariable} to the folder " +
                              "holding diffusers/ v0.27.2 (e.g. diffusers-0.27.2/src; ':'-separate further folders with its dependencies)");
            return;
        }
        var network = quick ? CheckDiffusersNetwork : DiffusersUNet2d.DisyreConfig;
        // (side, batch): 16 slices of 64² as in issue #16's comparison with the authors' trainer, 8 of 128² (the published crop).
        var cases = quick ? new[] { (Size: 32, Batch: 2) } : [(64, 16), (128, 8)];
        int trainWarmup = 1, trainTimed = quick ? 1 : 5, scoreWarmup = quick ? 0 : 1, scoreTimed = quick ? 1 : 3;
        using var peer = Peer.StartPython(Peer.Script("disyre_torch.py"), "serve", "--diffusers", diffusers, "--threads", threads.ToString(),
            "--channels", string.Join(",", network.Channels), "--layers", network.LayersPerBlock.ToString(),
            "--attn", string.Join(",", network.AttentionLevels), "--groups", network.GroupNormGroups.ToString(),
            "--head-dim", network.AttentionHeadDim.ToString());
        var ready = JsonDocument.Parse(peer.ReadLine()).RootElement;
        Console.WriteLine($"peer: diffusers {ready.GetProperty("diffusers").GetString()} on PyTorch {ready.GetProperty("torch").GetString()}");
        string name = quick ? "check" : "published";
        foreach (var (size, batch) in cases)
        {
            long theirParameters = JsonDocument.Parse(peer.Ask($"setup {size} {batch}")).RootElement.GetProperty("parameters").GetInt64();
            using (var ours = new CSharpDisyreStep(network, batch, size))
            {
                if (theirParameters != ours.Parameters)
                    throw new InvalidOperationException($"diffusers' UNet2DModel has {theirParameters} parameters, DiffusersUNet2d {ours.Parameters}");
                var train = Turns.Take(trainWarmup, trainTimed, ours.Step, () => Answer(peer.Ask("train"), "loss"));
                Console.WriteLine($"DISYRE train step, {name} UNet ({ours.Parameters:N0} parameters), {size}×{size}, batch {batch}: " +
                                  $"C# {train.OurMedian:F1} ms, PyTorch + diffusers {train.TheirMedian:F1} ms, ratio C# / PyTorch = {train.Ratio:F3}   " +
                                  $"(loss C# {train.Ours[0].Value:F5} → {train.Ours[^1].Value:F5}, PyTorch {train.Theirs[0].Value:F5} → {train.Theirs[^1].Value:F5})");
            }
            using (var scoring = new CSharpDisyreScoring(network, batch, size))
            {
                var score = Turns.Take(scoreWarmup, scoreTimed, scoring.Score, () => Answer(peer.Ask("score"), "score"));
                Console.WriteLine($"DISYRE scoring, mean-single-step 4 steps, {name} UNet, {size}×{size}, batch {batch}: " +
                                  $"C# {score.OurMedian / batch:F1} ms/slice, PyTorch + diffusers {score.TheirMedian / batch:F1} ms/slice, " +
                                  $"ratio C# / PyTorch = {score.Ratio:F3}   (mean image score C# {score.Ours[^1].Value:F5}, PyTorch {score.Theirs[^1].Value:F5})");
            }
            Console.WriteLine($"DISYRE objective on top in C# (crop, DAG corruption, severity → t; {size}×{size}, batch {batch}): " +
                              $"{ObjectiveOverheadMs(batch, size, quick ? 2 : 5):F1} ms/step");
        }
    }

    static Timed Answer(string json, string value)
    {
        var e = JsonDocument.Parse(json).RootElement;
        return new Timed(e.GetProperty("ms").GetDouble(), e.GetProperty(value).GetDouble());
    }

    static double ObjectiveOverheadMs(int batch, int size, int repeats)
    {
        using var images = BenchmarkData.Images(batch, size, seed: 2);
        var corruption = (DisyreConfig.Paper with { CropSize = size }).CreateCorruption();
        using var rng = new Generator(3);
        var ms = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            using var scope = torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            using var result = corruption.Apply(images, null, rng);
            SeverityToTimestepOf(result.Severity);
            ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Statistics.Median(ms);
    }

    static void SeverityToTimestepOf(Tensor severity) =>
        MedAnomaly.Diffusion.SeverityToTimestep.Map(severity, order: MedAnomaly.Diffusion.SeverityOrder.CleanAtZero).Dispose();

    /// <summary>The peer's training step in C#: fixed corrupted batch and t, MSE to the clean batch, backward, clip 1.0,
    /// AdamW; the network seeded with torch.manual_seed(0) and the inputs drawn from Generator(1), as the peer does.</summary>
    sealed class CSharpDisyreStep : IDisposable
    {
        readonly nn.Module<Tensor, Tensor?, Tensor> model;
        readonly optim.Optimizer optimizer;
        readonly Tensor clean, corrupted, t;
        public long Parameters { get; }

        public CSharpDisyreStep(UNet2dConfig config, int batch, int size)
        {
            torch.manual_seed(0);
            model = TimeConditionedUNet.Create(config);
            Parameters = model.parameters().Sum(p => p.numel());
            optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, beta1: 0.95, beta2: 0.999, weight_decay: 1e-6);
            using var generator = new Generator(1);
            clean = torch.rand([batch, 1, size, size], generator: generator).DetachFromDisposeScope();
            corrupted = (clean + 0.1 * torch.rand([batch, 1, size, size], generator: generator)).clamp(0, 1).DetachFromDisposeScope();
            t = torch.randint(0, 100, [batch], generator: generator).DetachFromDisposeScope();
        }

        /// <summary>One step inside a <see cref="NoGcRegion"/> as the library's trainer runs it (opening collection timed).</summary>
        public Timed Step()
        {
            var clock = Stopwatch.StartNew();
            return NoGcRegion.Run(() => TimedStep(clock));
        }

        Timed TimedStep(Stopwatch clock)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.mse_loss(model.forward(corrupted, t), clean);
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            double ms = clock.Elapsed.TotalMilliseconds;
            return new(ms, loss.item<float>());
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
            clean.Dispose(); corrupted.Dispose(); t.Dispose();
        }
    }

    /// <summary>The library's own scoring: <see cref="Disyre.Score"/> with the network and a crop of the slice's size (one
    /// window), on images drawn from Generator(4) as the peer draws them.</summary>
    sealed class CSharpDisyreScoring : IDisposable
    {
        readonly Disyre detector;
        readonly Tensor images;

        public CSharpDisyreScoring(UNet2dConfig network, int batch, int size)
        {
            torch.manual_seed(0);
            detector = new Disyre(new DisyreConfig { Network = network, CropSize = size });
            using var generator = new Generator(4);
            images = torch.rand([batch, 1, size, size], generator: generator).DetachFromDisposeScope();
        }

        public Timed Score()
        {
            var clock = Stopwatch.StartNew();
            using var output = detector.Score(images);
            double ms = clock.Elapsed.TotalMilliseconds;
            return new(ms, output.Score.mean().item<float>());
        }

        public void Dispose()
        {
            detector.Dispose();
            images.Dispose();
        }
    }

    // ---------------------------------------------------------------- (3) bf16 vs float32 in the trainer

    /// <summary>bf16 against float32 in the shared trainer on DISYRE's objective, for the reference UNet of the unet benchmark
    /// (UNet2dConfig's defaults, 2.73 M parameters: the network the goal was set on) and for DISYRE's quick network.</summary>
    static void MixedPrecisionSpeedup(bool quick)
    {
        int steps = quick ? 2 : 30, batch = quick ? 4 : 16, size = quick ? 32 : 64;
        var data = BenchmarkData.Slices(quick ? 8 : 64, size);
        var networks = quick
            ? new[] { ("check", DisyreConfig.Tiny with { Network = CheckNetwork }) }
            : new[] { ("reference (unet benchmark's)", DisyreConfig.Quick with { Network = new UNet2dConfig() }), ("DISYRE quick", DisyreConfig.Quick) };
        foreach (var (label, config) in networks)
        {
            // Two rounds of float32 then bf16; each precision keeps its faster round, so a burst of load on this shared
            // machine during one fit does not decide the ratio (the losses are the same in both rounds: CPU runs are exact).
            var rounds = Enumerable.Range(0, quick ? 1 : 2)
                .Select(_ => (Fp32: TrainWith(Precision.Float32, config, data, steps, batch), Bf16: TrainWith(Precision.BFloat16, config, data, steps, batch)))
                .ToList();
            var fp32 = rounds.MinBy(r => r.Fp32.SecondsPerStep).Fp32;
            var bf16 = rounds.MinBy(r => r.Bf16.SecondsPerStep).Bf16;
            Console.WriteLine($"trainer on DISYRE's objective, {label} UNet, {size}×{size}, batch {batch}, {steps} steps: " +
                              $"float32 {fp32.SecondsPerStep * 1000:F1} ms/step, bf16 {bf16.SecondsPerStep * 1000:F1} ms/step, " +
                              $"speed-up {fp32.SecondsPerStep / bf16.SecondsPerStep:F2}× (goal ≥ 1.4×); loss after {steps} steps float32 " +
                              $"{fp32.Losses[^1].Loss:F5}, bf16 {bf16.Losses[^1].Loss:F5}");
        }
    }

    static TrainingResult TrainWith(Precision precision, DisyreConfig config, SliceDataset data, int steps, int batch)
    {
        using var detector = new Disyre(config);
        var options = DisyreConfig.QuickTraining with { Steps = steps, BatchSize = batch, WarmupSteps = 1, Precision = precision, Seed = 5 };
        return detector.Fit(data, options);
    }
}
