using System.CommandLine;
using MedAnomaly.Networks;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// `medanomaly doctor`: says which TorchSharp and libtorch this process runs, whether the Debian 12 patch was
/// needed, the threads and devices, how libtorch's OpenMP workers wait, then trains a tiny UNet for a few steps to prove
/// the stack works end to end.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "training steps of the check", DefaultValueFactory = _ => 5 };
        var command = new Command("doctor", "Check that TorchSharp and libtorch load and train here") { steps };
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () => Run(parse.GetValue(steps))));
        return command;
    }

    static int Run(int steps)
    {
        if (steps <= 0) throw new ArgumentException($"--steps must be positive, got {steps}");
        var report = TorchNative.EnsureLoaded();
        Console.WriteLine($"TorchSharp {TorchNative.TorchSharpVersion}, libtorch {TorchNative.LibTorchVersion}");
        Console.WriteLine($"libtorch folder: {report.LibTorchFolder ?? "(loaded by TorchSharp)"}");
        Console.WriteLine($"TorchSharp native library: {report.TorchSharpLibrary ?? "(loaded by TorchSharp)"}" +
                          (report.Patched ? $" (patched copy: this libstdc++ lacks {TorchNative.MarkerVersion})" : ""));
        Console.WriteLine($"threads: {torch.get_num_threads()}   CUDA: {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}   " +
                          $"host-memory policy: {(HostMemory.PolicyApplied ? "on" : "off")}");
        Console.WriteLine(OpenMpLine());
        foreach (var (step, loss) in TrainTinyUNet(steps))
            Console.WriteLine($"step {step}  loss {loss:F6}");
        Console.WriteLine("ok");
        return 0;
    }

    /// <summary>
    /// Which wait policy and spin count libgomp read (<see cref="OpenMpWaitPolicy"/>) and what its workers do: how often this process's
    /// threads blocked over <see cref="ProbeOperations"/> parallel operations 1 ms apart (PASSIVE workers sleep after every
    /// one; spinning ones do not), and the CPU time they used while the process sat idle for 300 ms (ACTIVE spins through it).
    /// </summary>
    static string OpenMpLine()
    {
        string policy = $"{Setting(OpenMpWaitPolicy.Variable, OpenMpWaitPolicy.Current)} {Setting(OpenMpWaitPolicy.SpinCountVariable, OpenMpWaitPolicy.CurrentSpinCount)}";
        string source = OpenMpWaitPolicy.SetByMedAnomaly ? "MedAnomaly's default; set it yourself to choose" : "as set outside MedAnomaly";
        using var x = torch.rand(1_000_000);
        long before = VoluntarySwitches();
        for (int i = 0; i < ProbeOperations; i++) { using var y = x.add(1); Thread.Sleep(1); }
        long blocked = VoluntarySwitches() - before;
        var process = System.Diagnostics.Process.GetCurrentProcess();
        using (var y = x.add(1)) { }
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        Thread.Sleep(300);
        process.Refresh();
        double idleMs = (process.TotalProcessorTime - cpu).TotalMilliseconds;
        return $"OpenMP: {policy} ({source}); threads blocked {blocked} times over {ProbeOperations} parallel operations 1 ms apart, " +
               $"used {idleMs:F0} ms of CPU in 300 ms idle";
    }

    static string Setting(string name, string? value) => value is null ? $"{name} unset" : $"{name}={value}";

    const int ProbeOperations = 200;

    /// <summary>Voluntary context switches (blocking waits) of every thread of this process so far (Linux /proc).</summary>
    static long VoluntarySwitches() => !OperatingSystem.IsLinux() ? 0 : Directory.EnumerateDirectories("/proc/self/task")
        .Sum(task => File.ReadLines(Path.Combine(task, "status")).Where(l => l.StartsWith("voluntary_ctxt_switches:"))
                         .Sum(l => long.Parse(l["voluntary_ctxt_switches:".Length..])));

    /// <summary>A 2-level UNet learns to denoise 8 random 32×32 images (seeded, so the losses repeat).</summary>
    static IEnumerable<(int Step, double Loss)> TrainTinyUNet(int steps)
    {
        torch.manual_seed(0);
        using var model = new UNet2d(new UNet2dConfig { Channels = [8, 16], AttentionLevels = [1], GroupNormGroups = 4 });
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        using var x = torch.rand(8, 1, 32, 32);
        using var t = torch.zeros([8], ScalarType.Int64);
        for (int step = 1; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x + 0.1 * torch.randn_like(x), t), x);
            loss.backward();
            optimizer.step();
            yield return (step, loss.item<float>());
        }
    }
}
