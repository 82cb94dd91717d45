using System.Diagnostics;
using System.Runtime.InteropServices;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Reproduces TorchSharp 0.107's Scalar finalizer race and shows what <see cref="NoGcRegion"/> does about it: a
/// thread runs units of 200 tensor ⊙ number operations (each number becomes a temporary Scalar) with a 256² matmul
/// every 20 (libtorch's OpenMP threads then keep the cores busy, so the calling thread is often preempted inside a
/// call), while a second thread allocates short-lived arrays (collections during those calls). Each variant runs in a
/// child process, since the unguarded one frees memory libtorch is reading. It prints how many operations each variant
/// ran before the first error, if any. Not a speed measurement; it runs with the benchmarks because it takes a while.
/// </summary>
public sealed class ScalarRaceCheck : IBenchmark
{
    public string Name => "scalar-race";
    public string Description => "TorchSharp's temporary-Scalar finalizer race: units of scalar ops under GC pressure, unguarded vs NoGcRegion";

    const string ChildVariable = "MEDANOMALY_SCALAR_RACE_SECONDS";

    public void Run(bool quick)
    {
        if (Environment.GetEnvironmentVariable(ChildVariable) is { } seconds)
        {
            Stress(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        foreach (var guard in new[] { "on", "off" })
            Console.WriteLine($"guard {guard,-3}: {RunChild(guard, quick ? 5 : 20)}");
    }

    static string RunChild(string guard, int seconds)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(ScalarRaceCheck).Assembly.Location, "scalar-race"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment[ChildVariable] = seconds.ToString();
        start.Environment["MEDANOMALY_GC_GUARD"] = guard;
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string last = child.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        child.WaitForExit();
        return child.ExitCode == 0 ? last : $"the process died (exit {child.ExitCode}): {stderr.Result.Split('\n').FirstOrDefault()}";
    }

    static void Stress(double seconds)
    {
        var stop = false;
        var churn = new Thread(() => { while (!Volatile.Read(ref stop)) sink = new byte[64]; }) { IsBackground = true };
        churn.Start();
        using var x = torch.rand(64, 64);
        using var big = torch.rand(256, 256);
        long operations = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed.TotalSeconds < seconds)
                operations += NoGcRegion.Run(() => Unit(x, big));
            Console.WriteLine($"no error in {operations:N0} scalar operations over {seconds} s ({GC.CollectionCount(0)} collections)");
        }
        catch (ExternalException e)
        {
            Console.WriteLine($"libtorch error after {operations:N0} scalar operations: {e.Message.Split('\n')[0]}");
        }
        Volatile.Write(ref stop, true);
    }

    static int Unit(Tensor x, Tensor big)
    {
        using var scope = torch.NewDisposeScope();
        for (int k = 0; k < 200; k++)
        {
            _ = x.lt(0.5 + k * 1e-3);
            _ = x * (1.0 + k);
            if (k % 20 == 0) _ = big.matmul(big);
        }
        return 400;
    }

    static volatile byte[]? sink;
}
