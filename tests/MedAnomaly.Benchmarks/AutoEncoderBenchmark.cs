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
/// The MedIAnomaly AE's training step (Networks/ConvAutoencoder.cs at <see cref="AutoEncoderConfig"/>'s defaults, batch 64
/// of 64×64, Adam lr 1e-3) in C# against MedIAnomaly's own AE class in PyTorch as their trainer builds it
/// (peers/medianomaly_ae_torch.py, imported from the checkout in MEDANOMALY_MEDIANOMALY; without it the comparison is
/// skipped with a message); both parameter counts are printed, and a note when they differ. Timed in one rotation, each
/// turn followed by <see cref="Peer.LetThreadsPark"/>:
/// <list type="bullet">
/// <item>the library's trainer (<see cref="AutoEncoderDetector.Fit"/>: batch assembly, loss, backward, AdamW, schedule,
/// inside its <see cref="NoGcRegion"/>), the time between its progress reports less the rotation run inside them;</item>
/// <item>the network step alone on a fixed batch (forward, MSE, backward, AdamW with weight decay 0 = Adam), with and
/// without the <see cref="NoGcRegion"/>;</item>
/// <item>the peer's step: the same loop on the same fixed batch.</item>
/// </list>
/// Then where the C# network step's time goes: forward / backward / optimizer of both sides, and the first and last
/// convolutions (1 → 16 and 16 → 1 channels) alone, as <see cref="Conv"/> makes them, padded, and plain; the trainer's
/// own work around the step (no-GC region, batch assembly and copy, learning-rate schedule).
/// --quick: batch 16 and 3 rounds (checks that it runs; measures nothing).
/// </summary>
public sealed class AutoEncoderBenchmark : IBenchmark
{
    public string Name => "ae";
    public string Description => "MedIAnomaly AE training step (batch 64, 64², Adam 1e-3): trainer and network step C# vs their AE class in PyTorch, and where the C# time goes";

    /// <summary>The MedIAnomaly checkout the peer imports networks/ae.py from.</summary>
    public const string MedIAnomalyVariable = "MEDANOMALY_MEDIANOMALY";

    public void Run(bool quick)
    {
        int batch = quick ? 16 : 64, warmup = quick ? 1 : 3, timed = quick ? 2 : 20;
        var training = AutoEncoderDetector.Preset(PresetName.Paper).Training with { BatchSize = batch, Steps = warmup + timed };
        var network = new AutoEncoderConfig().Network;
        Console.WriteLine($"threads {torch.get_num_threads()}, batch {batch} of {network.InputSize}², hidden width {network.MidFeatures}, " +
                          $"Adam lr {training.LearningRate}; {timed} timed rounds after {warmup}{(quick ? ", quick run" : "")}");
        string? tree = Environment.GetEnvironmentVariable(MedIAnomalyVariable);
        if (string.IsNullOrWhiteSpace(tree))
            Console.WriteLine($"MedIAnomaly's AE in PyTorch: skipped. To compare with it, set {MedIAnomalyVariable} to the MedIAnomaly checkout " +
                              "(caiyu6666/MedIAnomaly, the folder holding reconstruction/)");
        using var peer = string.IsNullOrWhiteSpace(tree) ? null : StartPeer(tree, network, batch, training.LearningRate);
        long ours = CSharpAeStep.ParameterCount(network);
        Console.WriteLine($"ours: {ours:N0} parameters{(peer is not null && peer.Parameters != ours ? $" — not the peer's network ({peer.Parameters:N0}): the times compare different work" : "")}");
        Compare(network, training, peer, warmup);
        LayerCosts(network, batch, training.LearningRate, peer, quick ? 1 : 5);
        TrainerOverheads(network.InputSize, batch, quick ? 3 : 20);
        ConvolutionCosts(batch, network.InputSize, quick ? 2 : 10);
    }

    static AePeer StartPeer(string tree, ConvAutoencoderConfig network, int batch, double lr)
    {
        var process = Peer.StartPython(Peer.Script("medianomaly_ae_torch.py"), "serve", "--medianomaly", tree,
            "--threads", torch.get_num_threads().ToString(), "--batch", batch.ToString(), "--size", network.InputSize.ToString(),
            "--lr", lr.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ready = JsonDocument.Parse(process.ReadLine()).RootElement;
        var peer = new AePeer(process, ready.GetProperty("parameters").GetInt64());
        Console.WriteLine($"peer: MedIAnomaly's AE (options.py's defaults) on PyTorch {ready.GetProperty("torch").GetString()}, {peer.Parameters:N0} parameters");
        return peer;
    }

    sealed record AePeer(PeerProcess Process, long Parameters) : IDisposable
    {
        public string Ask(string request) => Process.Ask(request);
        public void Dispose() => Process.Dispose();
    }

    static void Compare(ConvAutoencoderConfig network, TrainingOptions training, AePeer? peer, int warmup)
    {
        var (guarded, unguarded) = (new List<Split>(), new List<Split>());
        var theirs = new List<Split>();
        using var step = new CSharpAeStep(network, training.BatchSize, training.LearningRate);
        using var plain = new CSharpAeStep(network, training.BatchSize, training.LearningRate);
        var rotation = new Rotation(() =>
        {
            Peer.LetThreadsPark();
            if (peer is not null) { theirs.Add(Split.FromPeer(peer.Ask("step"))); Peer.LetThreadsPark(); }
            guarded.Add(step.Step(guard: true));
            Peer.LetThreadsPark();
            unguarded.Add(plain.Step(guard: false));
            Peer.LetThreadsPark();
        });
        using var detector = new AutoEncoderDetector();
        var data = BenchmarkData.Slices(10 * training.BatchSize, network.InputSize);
        var result = detector.Fit(data, training, rotation);
        var trainer = rotation.Steps.Skip(warmup).ToList();
        var (peerMs, peerCpu) = peer is null ? (double.NaN, double.NaN) : (Median(theirs.Skip(warmup), s => s.Ms), Median(theirs.Skip(warmup), s => s.Cpu));
        string Versus(double ms, double cpu) => peer is null ? $"  CPU {cpu,7:F1} ms" : $", ratio {ms / peerMs:F3};  CPU {cpu,7:F1} ms, ratio {cpu / peerCpu:F3}";

        Console.WriteLine("wall-clock median, ratio C# / PyTorch;  CPU time (all threads) median, ratio");
        double trainerMs = Statistics.Median(trainer.Select(s => s.Ms).ToList()), trainerCpu = Statistics.Median(trainer.Select(s => s.Cpu).ToList());
        Console.WriteLine($"{"C# trainer step (AutoEncoderDetector.Fit)",-52} {trainerMs,8:F1} ms{Versus(trainerMs, trainerCpu)}   (loss {result.Losses[0].Loss:F5} → {result.Losses[^1].Loss:F5})");
        Report("C# network step, in a NoGcRegion (as the trainer)", guarded, warmup, Versus);
        Report("C# network step, no NoGcRegion", unguarded, warmup, Versus);
        if (peer is not null) Report("PyTorch step, MedIAnomaly's AE class", theirs, warmup, (ms, cpu) => $"  CPU {cpu,7:F1} ms");
    }

    static void Report(string label, List<Split> steps, int warmup, Func<double, double, string> versus)
    {
        var timed = steps.Skip(warmup).ToList();
        double ms = Median(timed, s => s.Ms);
        Console.WriteLine($"{label,-52} {ms,8:F1} ms{versus(ms, Median(timed, s => s.Cpu))}   (forward {Median(timed, s => s.Forward):F1}, backward " +
                          $"{Median(timed, s => s.Backward):F1}, optimizer {Median(timed, s => s.Optimizer):F1}; loss {steps[0].Loss:F5} → {steps[^1].Loss:F5})");
    }

    static double Median(IEnumerable<Split> steps, Func<Split, double> value) => Statistics.Median(steps.Select(value).ToList());

    /// <summary>The trainer's own work around the network step, each part alone (medians): opening and closing the
    /// <see cref="NoGcRegion"/> (its blocking collection) with the training slices in memory, assembling a batch
    /// (<see cref="Batcher"/>, on its producer thread, timed as one epoch's batches divided by their number), copying it
    /// into tensors (<see cref="BatchTensorExtensions.ToTensors"/>), and one step of the learning-rate schedule.</summary>
    static void TrainerOverheads(int size, int batch, int repeats)
    {
        var data = BenchmarkData.Slices(10 * batch, size);
        var region = Times(repeats, () => NoGcRegion.Run(() => 0));
        var batcher = new Batcher(data, batch, seed: 1) { DropLast = true };
        var epochs = Times(Math.Max(1, repeats / 5), () => batcher.Epoch(0).Count());
        var first = batcher.Epoch(0).First();
        var copy = Times(repeats, () => { using var tensors = first.ToTensors(); return 0; });
        using var parameter = new TorchSharp.Modules.Parameter(torch.zeros(1));
        using var optimizer = optim.AdamW([parameter], 1e-3);
        var schedule = optim.lr_scheduler.LambdaLR(optimizer, step => Trainer.LearningRateFactor(step, new TrainingOptions()));
        var scheduleStep = Times(repeats, () => { schedule.step(); return 0; });
        Console.WriteLine($"trainer's own work, median ms: NoGcRegion open + close {region:F2} (with {data.Count} slices of {size}² in memory), " +
                          $"batch assembly {epochs / (data.Count / batch):F2}, batch → tensors {copy:F2}, learning-rate schedule step {scheduleStep:F3}");
    }

    static double Times(int repeats, Func<int> work) => Statistics.Median(Enumerable.Range(0, repeats).Select(_ =>
    {
        var clock = Stopwatch.StartNew();
        work();
        return clock.Elapsed.TotalMilliseconds;
    }).ToList());

    /// <summary>Each block of the AE alone (forward + backward of sum(y) on the input it gets in the forward pass, requiring
    /// a gradient but for en_block1's), then the optimizer step alone, C# and peer taking turns; medians of
    /// <paramref name="rounds"/> after one warm-up round.</summary>
    static void LayerCosts(ConvAutoencoderConfig network, int batch, double lr, AePeer? peer, int rounds)
    {
        using var step = new CSharpAeStep(network, batch, lr);
        var (ours, theirs) = (new List<Dictionary<string, double>>(), new List<Dictionary<string, double>>());
        for (int r = 0; r <= rounds; r++)
        {
            if (peer is not null)
            {
                var answer = JsonDocument.Parse(peer.Ask("layers")).RootElement;
                theirs.Add(answer.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));
                Peer.LetThreadsPark();
            }
            ours.Add(NoGcRegion.Run(step.LayerTimes));
            Peer.LetThreadsPark();
        }
        Console.WriteLine("block alone, forward + backward (median ms)   C#      PyTorch");
        foreach (var name in ours[0].Keys)
        {
            double o = Statistics.Median(ours.Skip(1).Select(t => t[name]).ToList());
            string t = peer is null ? "" : $"{Statistics.Median(theirs.Skip(1).Select(t => t[name]).ToList()),8:F1}";
            Console.WriteLine($"  {name,-40} {o,8:F1} {t}");
        }
    }

    /// <summary>The first convolution (1 → 16, k4 s2) and the last transposed one (16 → 1), forward + backward on the AE's
    /// shapes, in three forms taking turns: as <see cref="Conv"/> makes it (unfolded / folded), zero-padded to 16 channels
    /// (<see cref="PaddedConv2d"/>, <see cref="PaddedConv2d"/> with transposed: true), and as plain TorchSharp layers, which oneDNN gets
    /// wrong (Conv.cs): timed only.</summary>
    static void ConvolutionCosts(int batch, int size, int repeats)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var first = new nn.Module<Tensor, Tensor>[]
        {
            Conv.Conv2d(1, 16, 4, 2, 1, bias: false), new PaddedConv2d(1, 16, 4, 2, 1, bias: false), nn.Conv2d(1, 16, 4, stride: 2, padding: 1, bias: false),
        };
        var last = new nn.Module<Tensor, Tensor>[]
        {
            Conv.ConvTranspose2d(16, 1, 4, 2, 1, bias: false), new PaddedConv2d(16, 1, 4, 2, 1, bias: false, transposed: true), nn.ConvTranspose2d(16, 1, 4, stride: 2, padding: 1, bias: false),
        };
        var image = torch.rand([batch, 1, size, size]).requires_grad_();
        var features = torch.rand([batch, 16, size / 2, size / 2]).requires_grad_();
        foreach (var (label, layers, input) in new[] { ("first convolution 1 → 16", first, image), ("last transposed convolution 16 → 1", last, features) })
        {
            var ms = layers.Select(_ => new List<double>()).ToArray();
            for (int r = 0; r <= repeats; r++)
                for (int i = 0; i < layers.Length; i++)
                {
                    double elapsed = ForwardBackwardMs(layers[i], input);
                    if (r > 0) ms[i].Add(elapsed);   // the first round warms oneDNN's kernels up
                }
            Console.WriteLine($"{label,-36} forward + backward, [{string.Join(", ", input.shape)}]: as Conv makes it ({layers[0].GetType().Name}) " +
                              $"{Statistics.Median(ms[0]):F2} ms, padded to 16 channels {Statistics.Median(ms[1]):F2} ms, plain (wrong gradients) {Statistics.Median(ms[2]):F2} ms");
        }
    }

    static double ForwardBackwardMs(nn.Module<Tensor, Tensor> layer, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        layer.zero_grad();
        input.grad?.zero_();
        var clock = Stopwatch.StartNew();
        layer.forward(input).square().sum().backward();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>A step's milliseconds, its parts and its loss.</summary>
    readonly record struct Split(double Ms, double Forward, double Backward, double Optimizer, double Cpu, double Loss)
    {
        public static Split FromPeer(string json)
        {
            var e = JsonDocument.Parse(json).RootElement;
            double Get(string name) => e.GetProperty(name).GetDouble();
            return new(Get("ms"), Get("forward"), Get("backward"), Get("optimizer"), Get("cpu"), Get("loss"));
        }
    }

    /// <summary>
    /// Runs the other sides' turns inside the trainer's progress report (synchronously, on the training thread) and
    /// measures the trainer's steps as the time between reports less the time spent inside them.
    /// </summary>
    sealed class Rotation(Action turns) : IProgress<TrainingProgress>
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        TimeSpan lastReturn;
        double lastReturnCpu = ProcessCpu.Milliseconds();
        /// <summary>Wall and CPU milliseconds of each trainer step (the first one's CPU time includes the fit's set-up).</summary>
        public List<(double Ms, double Cpu)> Steps { get; } = [];

        public void Report(TrainingProgress value)
        {
            var (arrived, arrivedCpu) = (clock.Elapsed, ProcessCpu.Milliseconds());
            double ms = value.Step > 1 ? (arrived - lastReturn).TotalMilliseconds : value.Elapsed.TotalMilliseconds;   // the first from the trainer's clock
            Steps.Add((ms, arrivedCpu - lastReturnCpu));
            turns();
            (lastReturn, lastReturnCpu) = (clock.Elapsed, ProcessCpu.Milliseconds());
        }
    }

    /// <summary>The peer's loop in C#: fixed batch x = 2u − 1, u from Generator(1); forward, MSE, backward, AdamW with
    /// weight decay 0 (the trainer's optimiser: Adam); the network seeded with torch.manual_seed(0) as the peer's.</summary>
    sealed class CSharpAeStep : IDisposable
    {
        readonly ConvAutoencoder model;
        readonly optim.Optimizer optimizer;
        readonly Tensor images;

        public static long ParameterCount(ConvAutoencoderConfig config)
        {
            using var model = new ConvAutoencoder(config with { Variational = false });
            return model.parameters().Sum(p => p.numel());
        }

        public CSharpAeStep(ConvAutoencoderConfig config, int batch, double lr)
        {
            torch.manual_seed(0);
            model = new ConvAutoencoder(config with { Variational = false });
            model.train();
            optimizer = torch.optim.AdamW(model.parameters(), lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);
            using var generator = new Generator(1);
            images = (torch.rand([batch, 1, config.InputSize, config.InputSize], generator: generator) * 2 - 1).DetachFromDisposeScope();
        }

        public Split Step(bool guard)
        {
            double cpu = ProcessCpu.Milliseconds();
            var clock = Stopwatch.StartNew();
            var split = guard ? NoGcRegion.Run(() => TimedStep(clock)) : TimedStep(clock);
            return split with { Cpu = ProcessCpu.Milliseconds() - cpu };
        }

        Split TimedStep(Stopwatch clock)
        {
            using var scope = torch.NewDisposeScope();
            var loss = F.mse_loss(model.forward(images), images);
            double forward = clock.Elapsed.TotalMilliseconds;
            optimizer.zero_grad();
            loss.backward();
            double backward = clock.Elapsed.TotalMilliseconds;
            optimizer.step();
            double end = clock.Elapsed.TotalMilliseconds;
            return new(end, forward, backward - forward, end - backward, double.NaN, loss.item<float>());
        }

        /// <summary>The peer's "layers" request in C#: (name → ms) for each block in forward order, then "adam".</summary>
        public Dictionary<string, double> LayerTimes()
        {
            var times = new Dictionary<string, double>();
            using var scope = torch.NewDisposeScope();
            foreach (var (name, block, input) in LayerInputs())
            {
                var x = input.detach().requires_grad_(name != "en_block1");
                var clock = Stopwatch.StartNew();
                block.forward(x).sum().backward();
                times[name] = clock.Elapsed.TotalMilliseconds;
            }
            var adam = Stopwatch.StartNew();
            optimizer.step();
            times["adam"] = adam.Elapsed.TotalMilliseconds;
            optimizer.zero_grad();
            return times;
        }

        /// <summary>(name, block, input) in the order of MedIAnomaly's AE.forward and BottleNeck.forward.</summary>
        List<(string Name, nn.Module<Tensor, Tensor> Block, Tensor Input)> LayerInputs()
        {
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            var layers = new List<(string, nn.Module<Tensor, Tensor>, Tensor)>();
            using var noGrad = torch.no_grad();
            Tensor Through(string name, Tensor h)
            {
                var block = (nn.Module<Tensor, Tensor>)modules[name];
                layers.Add((name, block, h));
                return block.forward(h);
            }
            var h = images;
            for (int i = 1; i <= 4; i++) h = Through($"en_block{i}", h);
            var shape = h.shape;
            h = Through("bottle_neck.linear_dec", Through("bottle_neck.linear_enc", h.flatten(1))).view(shape);
            for (int i = 1; i <= 4; i++) h = Through($"de_block{i}", h);
            return layers;
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
            images.Dispose();
        }
    }
}
