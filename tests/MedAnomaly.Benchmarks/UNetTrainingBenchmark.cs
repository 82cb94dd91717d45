using System.Diagnostics;
using System.Text.Json;
using MedAnomaly.Networks;
using MedAnomaly.Torch;
using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Trains the reference UNet (1×64×64 input, batch 16, base 32 channels, two down/up levels,
/// GroupNorm+SiLU, attention at the lowest level, sinusoidal time embedding) with AdamW in C# and in
/// PyTorch (peers/unet_torch.py, the same libtorch and thread count) and prints the ratio of median
/// step times (target C# ÷ PyTorch ≤ 0.90), plus the RSS after 200 and 2,000 C# steps (target growth ≤ 2 %).
/// </summary>
public sealed class UNetTrainingBenchmark : IBenchmark
{
    public string Name => "unet";
    public string Description => "UNet training step, C# vs PyTorch (median ms), and RSS growth 200 → 2,000 steps";

    const int Batch = 16, Warmup = 5;

    public void Run(bool quick)
    {
        int timedSteps = quick ? 10 : 30;
        int threads = torch.get_num_threads();
        int rssEarly = quick ? 20 : 200, rssLate = quick ? 60 : 2000;

        var peerJson = Peer.RunPython(Peer.Script("unet_torch.py"), "bench", "--steps", timedSteps.ToString(),
            "--warmup", Warmup.ToString(), "--threads", threads.ToString(), "--batch", Batch.ToString());
        var peer = JsonDocument.Parse(peerJson).RootElement;
        double peerMs = peer.GetProperty("median_ms").GetDouble();

        Console.WriteLine($"threads {threads}, batch {Batch}, {timedSteps} timed steps after {Warmup} warm-up");
        Console.WriteLine($"PyTorch median step {peerMs,8:F1} ms   loss {peer.GetProperty("first_loss").GetDouble():F4} → {peer.GetProperty("last_loss").GetDouble():F4}");
        Console.WriteLine("PyTorch phases (median ms): " + string.Join(", ", peer.GetProperty("phases_ms").EnumerateObject().Select(p => $"{p.Name} {p.Value.GetDouble():F1}")));
        TrainCSharp(timedSteps, rssEarly, rssLate, peerMs);
    }

    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    /// <summary>The same loop as the peer: x = x0 + noise, loss = mse(model(x, t), noise), AdamW step.</summary>
    static void TrainCSharp(int timedSteps, int rssEarly, int rssLate, double peerMs)
    {
        torch.manual_seed(0);
        using var model = new UNet2d();
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, betas: (0.9, 0.999), weight_decay: 0.0);
        using var generator = new Generator(1);
        using var x0 = torch.rand([Batch, 1, 64, 64], generator: generator).DetachFromDisposeScope();
        using var t = torch.randint(0, 1000, [Batch], generator: generator).DetachFromDisposeScope();
        using var noise = torch.randn([Batch, 1, 64, 64], generator: generator).DetachFromDisposeScope();

        var times = new List<double>();
        var phases = new Dictionary<string, List<double>> { ["forward"] = [], ["backward"] = [], ["optimizer"] = [] };
        var rss = new Dictionary<int, double>();
        double firstLoss = 0, lastLoss = 0;
        int totalSteps = Math.Max(Warmup + timedSteps, rssLate);
        for (int step = 1; step <= totalSteps; step++)
        {
            var clock = Stopwatch.StartNew();
            double forward, backward;
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = F.mse_loss(model.forward(x0 + noise, t), noise);
                forward = clock.Elapsed.TotalMilliseconds;
                loss.backward();
                backward = clock.Elapsed.TotalMilliseconds;
                optimizer.step();
                clock.Stop();
                if (step <= Warmup + timedSteps) lastLoss = loss.item<double>();
            }
            if (step == 1) firstLoss = lastLoss;
            if (step > Warmup && step <= Warmup + timedSteps)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
                phases["forward"].Add(forward);
                phases["backward"].Add(backward - forward);
                phases["optimizer"].Add(clock.Elapsed.TotalMilliseconds - backward);
            }
            if (step == Warmup + timedSteps)
            {
                Console.WriteLine($"C#      median step {Median(times),8:F1} ms   loss {firstLoss:F4} → {lastLoss:F4}");
                Console.WriteLine("C#      phases (median ms): " + string.Join(", ", phases.Select(p => $"{p.Key} {Median(p.Value):F1}")));
                Console.WriteLine($"ratio C# / PyTorch = {Median(times) / peerMs:F3}   (target ≤ 0.90)");
            }
            if (step == rssEarly || step == rssLate) rss[step] = ProcessMemory.RssMegabytes();
        }
        Console.WriteLine($"RSS after {rssEarly} steps {rss[rssEarly]:F1} MB, after {rssLate} steps {rss[rssLate]:F1} MB: " +
                          $"growth {(rss[rssLate] / rss[rssEarly] - 1) * 100:F2} %   (target ≤ 2 %)");
    }
}
