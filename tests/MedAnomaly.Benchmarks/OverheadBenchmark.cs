using System.Diagnostics;
using System.Globalization;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Per-call overhead of TorchSharp against PyTorch's Python layer: the median time of a one-element
/// <c>add</c> (creating and freeing the result), where libtorch's work is negligible. Each side reports the
/// fastest of 7 rounds (after a warm-up round on the C# side, so the JIT has compiled the optimised code):
/// the minimum is the measurement least disturbed by other work on a shared machine.
/// </summary>
public sealed class OverheadBenchmark : IBenchmark
{
    public string Name => "overhead";
    public string Description => "per-call overhead: one-element add, TorchSharp vs PyTorch from Python (µs)";

    public void Run(bool quick)
    {
        int calls = quick ? 20_000 : 100_000;
        var peer = double.Parse(Peer.RunPython(Peer.Script("overhead_torch.py"), calls.ToString(), torch.get_num_threads().ToString()),
            CultureInfo.InvariantCulture);
        using var a = torch.ones(1);
        using var b = torch.ones(1);
        var rounds = new List<double>();
        for (int round = 0; round < 8; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                using var c = a.add(b);
            }
            if (round > 0) rounds.Add(clock.Elapsed.TotalMicroseconds / calls);
        }
        double mine = rounds.Min();
        Console.WriteLine($"C# {mine:F2} µs per call, PyTorch (Python) {peer:F2} µs: ratio {mine / peer:F3}");
    }
}
