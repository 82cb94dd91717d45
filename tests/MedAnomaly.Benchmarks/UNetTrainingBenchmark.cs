using System.Diagnostics;
using System.Text.Json;
using MedAnomaly.Networks;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Trains the reference UNet (1×64×64 input, batch 16, base 32 channels, two down/up levels,
/// GroupNorm+SiLU, attention at the lowest level, sinusoidal time embedding) with AdamW in C# and in
/// PyTorch (peers/unet_torch.py; TorchSharp runs libtorch 2.10, Debian's PyTorch its libtorch 1.13; same thread
/// count) and prints the ratio of median
/// step times (goal C# ÷ PyTorch ≤ 1.00). The resident set of the same loop over 2,000 steps is <c>unet-memory</c>.
/// The two sides take turns step by step (the peer runs as a step server), so a noisy machine slows
/// both alike; whoever goes first alternates, and each waits for the other's idle threads to park
/// (<see cref="Peer.LetThreadsPark"/>).
/// </summary>
public sealed class UNetTrainingBenchmark : IBenchmark
{
    public string Name => "unet";
    public string Description => "UNet training step, C# vs PyTorch taking turns (median ms)";

    const int Batch = 16, Warmup = 5;

    public void Run(bool quick)
    {
        int timedSteps = quick ? 10 : 30;
        int threads = torch.get_num_threads();
        Console.WriteLine($"threads {threads}, batch {Batch}, {timedSteps} timed steps after {Warmup} warm-up, " +
                          $"host-memory policy {(HostMemory.PolicyApplied ? "on" : "off (MEDANOMALY_MALLOC=system)")}");

        using var training = new CSharpTraining();
        using (var peer = Peer.StartPython(Peer.Script("unet_torch.py"), "serve", "--threads", threads.ToString(),
                   "--batch", Batch.ToString()))
        {
            peer.ReadLine();
            CompareStepTimes(training, peer, timedSteps);
        }
    }

    static void CompareStepTimes(CSharpTraining training, PeerProcess peer, int timedSteps)
    {
        var ours = new List<StepRecord>();
        var theirs = new List<StepRecord>();
        for (int step = 1; step <= Warmup + timedSteps; step++)
        {
            bool peerFirst = step % 2 == 1;
            if (peerFirst) { theirs.Add(StepRecord.FromPeer(peer.Ask("step"))); Peer.LetThreadsPark(); }
            ours.Add(training.Step());
            Peer.LetThreadsPark();
            if (!peerFirst) { theirs.Add(StepRecord.FromPeer(peer.Ask("step"))); Peer.LetThreadsPark(); }
        }
        Report("PyTorch", theirs);
        Report("C#", ours);
        double ratio = Median(ours.Skip(Warmup), r => r.Ms) / Median(theirs.Skip(Warmup), r => r.Ms);
        Console.WriteLine($"ratio C# / PyTorch = {ratio:F3}   (goal ≤ 1.00; C#: TorchSharp 0.107 / libtorch 2.10, PyTorch: 1.13)");
    }

    static void Report(string side, List<StepRecord> records)
    {
        var timed = records.Skip(Warmup).ToList();
        Console.WriteLine($"{side,-8} median step {Median(timed, r => r.Ms),8:F1} ms " +
                          $"(forward {Median(timed, r => r.Forward):F1}, backward {Median(timed, r => r.Backward):F1}, " +
                          $"optimizer {Median(timed, r => r.Optimizer):F1})   " +
                          $"page faults/step {Median(timed, r => r.Faults):F0}   " +
                          $"loss {records[0].Loss:F6} → {records[^1].Loss:F6}");
    }

    static double Median(IEnumerable<StepRecord> records, Func<StepRecord, double> value) =>
        Statistics.Median(records.Select(value).ToList());

    internal readonly record struct StepRecord(double Ms, double Forward, double Backward, double Optimizer, double Loss, double Faults)
    {
        public static StepRecord FromPeer(string json)
        {
            var e = JsonDocument.Parse(json).RootElement;
            double Get(string name) => e.GetProperty(name).GetDouble();
            return new(Get("ms"), Get("forward"), Get("backward"), Get("optimizer"), Get("loss"), Get("faults"));
        }
    }

    /// <summary>The same loop as the peer: x = x0 + noise, loss = mse(model(x, t), noise), AdamW step.</summary>
    internal sealed class CSharpTraining : IDisposable
    {
        readonly UNet2d model;
        readonly optim.Optimizer optimizer;
        readonly Tensor x0, t, noise;
        public int Steps { get; private set; }

        public CSharpTraining(int batch = Batch)
        {
            torch.manual_seed(0);
            model = new UNet2d();
            optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, beta1: 0.9, beta2: 0.999, weight_decay: 0.0);
            using var generator = new Generator(1);
            x0 = torch.rand([batch, 1, 64, 64], generator: generator).DetachFromDisposeScope();
            t = torch.randint(0, 1000, [batch], generator: generator).DetachFromDisposeScope();
            noise = torch.randn([batch, 1, 64, 64], generator: generator).DetachFromDisposeScope();
        }

        /// <summary>One step inside a <see cref="NoGcRegion"/> as the library's trainer runs it; the time includes the
        /// region's opening collection.</summary>
        public StepRecord Step()
        {
            long faults = ProcessMemory.MinorFaults();
            var clock = Stopwatch.StartNew();
            return NoGcRegion.Run(() => TimedStep(clock, faults));
        }

        StepRecord TimedStep(Stopwatch clock, long faults)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.mse_loss(model.forward(x0 + noise, t), noise);
            double forward = clock.Elapsed.TotalMilliseconds;
            loss.backward();
            double backward = clock.Elapsed.TotalMilliseconds;
            optimizer.step();
            double total = clock.Elapsed.TotalMilliseconds;
            Steps++;
            return new(total, forward, backward - forward, total - backward, loss.item<float>(),
                       ProcessMemory.MinorFaults() - faults);
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
            x0.Dispose(); t.Dispose(); noise.Dispose();
        }
    }
}
