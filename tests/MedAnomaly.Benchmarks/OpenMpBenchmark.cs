using System.Diagnostics;
using System.Globalization;
using MedAnomaly.Runtime;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Training steps of the reference UNet (UNetTrainingBenchmark's loop, batch 4) in a fresh process per OpenMP wait policy
/// (the policy must be in the environment before libtorch loads), alone and beside a busy process (a python3 busy loop
/// on one core), with OMP_WAIT_POLICY and GOMP_SPINCOUNT unset (MedAnomaly then sets PASSIVE with a spin of 1000), PASSIVE, ACTIVE, and libgomp's own default
/// (an empty value: libgomp warns and spins for a while after each parallel region, as before MedAnomaly set PASSIVE).
/// </summary>
public sealed class OpenMpBenchmark : IBenchmark
{
    public string Name => "openmp";
    public string Description => "UNet training steps alone and beside a busy process, per OMP_WAIT_POLICY (median ms)";

    const string ChildCommand = "openmp-child";
    const int Batch = 4, Warmup = 2, MinSteps = 3;
    /// <summary>A child stops after this long once it has <see cref="MinSteps"/> timed steps: ACTIVE beside a busy process
    /// measured 44 s a step on the 2-core VM.</summary>
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    static readonly (string Label, string? Value)[] Policies =
    [
        ("unset (MedAnomaly: PASSIVE, spin 1000)", null), ("PASSIVE", "PASSIVE"), ("ACTIVE", "ACTIVE"), ("libgomp default (spin, then sleep)", ""),
    ];

    public void Run(bool quick)
    {
        int steps = quick ? 4 : 10;
        Console.WriteLine($"{Environment.ProcessorCount} cores; libtorch threads: all of them; batch {Batch}, median of {steps} steps after {Warmup} warm-up " +
                          $"(or of the steps done in {Budget.TotalSeconds:0} s, at least {MinSteps}), one fresh process per cell");
        Console.WriteLine($"{"OMP_WAIT_POLICY",-36} {"alone",10} {"beside a busy process",24}");
        foreach (var (label, value) in Policies)
        {
            double alone = Child(value, steps);
            double beside;
            using (var busy = Process.Start(new ProcessStartInfo(Peer.Python, ["-c", "while True: pass"]))!)
            {
                try { beside = Child(value, steps); }
                finally { busy.Kill(); busy.WaitForExit(); }
            }
            Console.WriteLine($"{label,-36} {alone,7:F0} ms {beside,21:F0} ms   ({beside / alone:F1}x slower beside it)");
            Peer.LetThreadsPark();
        }
    }

    /// <summary>Runs this program as a child that trains and prints its median step time.</summary>
    static double Child(string? policy, int steps)
    {
        string self = Path.Combine(AppContext.BaseDirectory, "MedAnomaly.Benchmarks.dll");
        var (_, stdout) = WholeProcess.Run("dotnet", [self, ChildCommand, steps.ToString(CultureInfo.InvariantCulture)],
                                           new Dictionary<string, string?> { [OpenMpWaitPolicy.Variable] = policy, [OpenMpWaitPolicy.SpinCountVariable] = null });
        return double.Parse(stdout.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }

    /// <summary>The child's side (Program.cs dispatches "openmp-child STEPS" here, after TorchNative.EnsureLoaded).</summary>
    public static bool TryRunChild(string[] args)
    {
        if (args is not [ChildCommand, var stepsText]) return false;
        using var training = new UNetTrainingBenchmark.CSharpTraining(Batch);
        int steps = int.Parse(stepsText, CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        for (int i = 0; i < Warmup + steps && (times.Count < MinSteps || clock.Elapsed < Budget); i++)
        {
            double ms = training.Step().Ms;
            if (i >= Warmup) times.Add(ms);
        }
        Console.WriteLine(Statistics.Median(times).ToString("F1", CultureInfo.InvariantCulture));
        return true;
    }
}
