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
/// mean-single-step (4 steps), DDPM with 50 DDIM steps and with 200 ancestral DDPM steps (t_start 250);
/// (2) one DISYRE training step of the quick UNet at 128×128 (forward, MSE, backward, clip 1.0, AdamW with
/// DISYRE's settings) in C# and in PyTorch (peers/disyre_torch.py, the unet_torch.py twin), taking turns step by
/// step, with the ratio of medians; plus the C# cost of DISYRE's objective (DAG corruption + severity mapping) on
/// top; (3) the shared trainer in bf16 mixed precision against float32 on DISYRE's objective (reference and quick UNet): seconds per step and
/// the loss after the same number of steps. Weights are untrained: timings do not depend on them.
/// --quick swaps in a small three-level network and a few steps: it checks that everything runs (&lt; 1 minute), it measures nothing.
/// </summary>
public sealed class DetectorBenchmark : IBenchmark
{
    public string Name => "detectors";
    public string Description => "diffusion detectors: scoring ms/slice (DISYRE 4, DDIM 50, DDPM 200), DISYRE train step C# vs PyTorch at 128², bf16 vs fp32 trainer (reference and quick UNet)";

    /// <summary>The --quick network: three levels (16, 32, 32), so the attention runs at H/4 (the tiny presets attend at H/2,
    /// 4,096 tokens at 128×128, which is slower than the quick UNet).</summary>
    static readonly UNet2dConfig CheckNetwork = new() { Channels = [16, 32, 32], AttentionLevels = [2] };

    public void Run(bool quick)
    {
        int threads = torch.get_num_threads();
        Console.WriteLine($"threads {threads}{(quick ? ", quick run (small batches, few repetitions)" : "")}");
        ScoringTimes(quick);
        TrainingStep(quick, threads);
        MixedPrecisionSpeedup(quick);
    }

    // ---------------------------------------------------------------- (1) scoring

    static void ScoringTimes(bool quick)
    {
        int batch = quick ? 1 : 8, repeats = quick ? 1 : 3;
        using var images = Images(batch, 64, seed: 1);
        // --quick: the tiny networks and 10 reverse steps, to check that the benchmark runs (not a measurement).
        using var disyre = new Disyre(quick ? DisyreConfig.Quick with { Network = CheckNetwork } : DisyreConfig.Quick);
        var ddpmConfig = DdpmConfig.Quick with { Noise = DiffusionNoise.Gaussian, InferenceSteps = quick ? 10 : 50 };
        if (quick) ddpmConfig = ddpmConfig with { Network = CheckNetwork };
        using var ddim = new DdpmDetector(ddpmConfig);
        using var ddpm = new DdpmDetector(ddpmConfig with { Sampler = ReverseSampler.Ddpm, InferenceSteps = quick ? 10 : 200 });
        string net = quick ? "check" : "quick";
        var cases = new (string Label, IAnomalyDetector Detector)[]
        {
            ($"DISYRE mean-single-step, 4 steps, {net} UNet", disyre),
            ($"DDPM, {ddim.Config.InferenceSteps} DDIM steps (t_start 250), {net} UNet", ddim),
            ($"DDPM, {ddpm.Config.InferenceSteps} ancestral steps (t_start 250), {net} UNet", ddpm),
        };
        foreach (var (label, detector) in cases)
        {
            if (!quick) detector.Score(images).Dispose();   // warm-up
            var ms = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                detector.Score(images).Dispose();
                ms.Add(clock.Elapsed.TotalMilliseconds / batch);
            }
            Console.WriteLine($"scoring {label,-44} {Statistics.Median(ms),9:F1} ms/slice (64×64, batch {batch})");
        }
    }

    // ---------------------------------------------------------------- (2) training step vs PyTorch

    static void TrainingStep(bool quick, int threads)
    {
        int batch = quick ? 2 : 8, size = 128, warmup = quick ? 1 : 3, timed = quick ? 2 : 15;
        var net = quick ? CheckNetwork : DisyreConfig.Quick.Network;
        using var ours = new CSharpDisyreStep(net, batch, size);
        using (var peer = Peer.StartPython(Peer.Script("disyre_torch.py"), "serve", "--threads", threads.ToString(),
                   "--batch", batch.ToString(), "--size", size.ToString(), "--channels", string.Join(",", net.Channels),
                   "--layers", net.LayersPerBlock.ToString(), "--attn", string.Join(",", net.AttentionLevels)))
        {
            var ready = JsonDocument.Parse(peer.ReadLine()).RootElement;
            long theirParameters = ready.GetProperty("parameters").GetInt64();
            if (theirParameters != ours.Parameters)
                throw new InvalidOperationException($"the PyTorch twin has {theirParameters} parameters, the C# UNet {ours.Parameters}");
            var (csharp, torchMs) = (new List<double>(), new List<double>());
            double ourLoss = 0, theirLoss = 0;
            for (int step = 1; step <= warmup + timed; step++)
            {
                bool peerFirst = step % 2 == 1;
                (double Ms, double Loss) Theirs()
                {
                    var e = JsonDocument.Parse(peer.Ask("step")).RootElement;
                    return (e.GetProperty("ms").GetDouble(), e.GetProperty("loss").GetDouble());
                }
                (double Ms, double Loss) a = default;
                if (peerFirst) { a = Theirs(); Peer.LetThreadsPark(); }
                var b = ours.Step();
                Peer.LetThreadsPark();
                if (!peerFirst) { a = Theirs(); Peer.LetThreadsPark(); }
                if (step > warmup) { torchMs.Add(a.Ms); csharp.Add(b.Ms); }
                (theirLoss, ourLoss) = (a.Loss, b.Loss);
            }
            double c = Statistics.Median(csharp), p = Statistics.Median(torchMs);
            Console.WriteLine($"DISYRE train step {(quick ? "check" : "quick")} UNet {size}×{size}, batch {batch}, {ours.Parameters:N0} parameters: " +
                              $"C# {c:F1} ms, PyTorch {p:F1} ms, ratio C# / PyTorch = {c / p:F3}   (last loss C# {ourLoss:F5}, PyTorch {theirLoss:F5})");
        }
        Console.WriteLine($"DISYRE objective on top in C# (crop, DAG corruption, severity → t; batch {batch}): {ObjectiveOverheadMs(batch, size, quick ? 2 : 5):F1} ms/step");
    }

    static double ObjectiveOverheadMs(int batch, int size, int repeats)
    {
        using var images = Images(batch, size, seed: 2);
        var corruption = DisyreConfig.Quick.CreateCorruption();
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

    /// <summary>The peer's loop in C#: fixed corrupted batch and t, MSE to the clean batch, backward, clip 1.0, AdamW.</summary>
    sealed class CSharpDisyreStep : IDisposable
    {
        readonly UNet2d model;
        readonly optim.Optimizer optimizer;
        readonly Tensor clean, corrupted, t;
        public long Parameters { get; }

        public CSharpDisyreStep(UNet2dConfig config, int batch, int size)
        {
            torch.manual_seed(0);
            model = new UNet2d(config);
            Parameters = model.parameters().Sum(p => p.numel());
            optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, beta1: 0.95, beta2: 0.999, weight_decay: 1e-6);
            using var generator = new Generator(1);
            clean = torch.rand([batch, 1, size, size], generator: generator).DetachFromDisposeScope();
            corrupted = (clean + 0.1 * torch.rand([batch, 1, size, size], generator: generator)).clamp(0, 1).DetachFromDisposeScope();
            t = torch.randint(0, 100, [batch], generator: generator).DetachFromDisposeScope();
        }

        /// <summary>One step inside a <see cref="NoGcRegion"/> as the library's trainer runs it (opening collection timed).</summary>
        public (double Ms, double Loss) Step()
        {
            var clock = Stopwatch.StartNew();
            return NoGcRegion.Run(() => TimedStep(clock));
        }

        (double Ms, double Loss) TimedStep(Stopwatch clock)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.mse_loss(model.forward(corrupted, t), clean);
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            double ms = clock.Elapsed.TotalMilliseconds;
            return (ms, loss.item<float>());
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
            clean.Dispose(); corrupted.Dispose(); t.Dispose();
        }
    }

    // ---------------------------------------------------------------- (3) bf16 vs float32 in the trainer

    /// <summary>bf16 against float32 in the shared trainer on DISYRE's objective, for the reference UNet of the unet benchmark
    /// (UNet2dConfig's defaults, 2.73 M parameters: the network the goal was set on) and for DISYRE's quick network.</summary>
    static void MixedPrecisionSpeedup(bool quick)
    {
        int steps = quick ? 2 : 30, batch = quick ? 4 : 16, size = quick ? 32 : 64;
        var data = Dataset(quick ? 8 : 64, size);
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

    // ---------------------------------------------------------------- data

    /// <summary>[n,1,size,size]: a textured disc on a zero background (something for DAG to corrupt).</summary>
    static Tensor Images(int n, int size, ulong seed)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([n, 1, size, size], generator: new Generator(seed)) * 0.8 + 0.1;
        var r = torch.arange(size, ScalarType.Float32) - (size - 1) / 2f;
        var inside = (r.square().unsqueeze(1) + r.square().unsqueeze(0)).lt(size * size * 0.18f).to(ScalarType.Float32);
        return (x * inside).MoveToOuterDisposeScope();
    }

    static SliceDataset Dataset(int n, int size)
    {
        using var images = Images(n, size, seed: 9);
        var values = images.data<float>().ToArray();
        int pixels = size * size;
        var items = Enumerable.Range(0, n).Select(i =>
        {
            var image = values.AsSpan(i * pixels, pixels).ToArray();
            return new SliceItem(image, size, size, 0, null, Array.ConvertAll(image, v => v > 0 ? (byte)1 : (byte)0), "benchmark", -1, i, "train");
        }).ToList();
        return new SliceDataset(items);
    }
}
