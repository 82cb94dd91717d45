using TorchSharp;
using static TorchSharp.torch;

using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Checkpoints;
using MedAnomaly.Runtime;

namespace MedAnomaly.Tests.Runtime;

/// <summary>
/// The host-memory policy (src/MedAnomaly/Runtime/HostMemory.cs): memory a training
/// step frees stays in the process for the next step, and HostMemory.Release() gives it back.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public class HostMemoryTests
{
    const long Megabyte = 1 << 20;

    static double RssMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        throw new InvalidOperationException("/proc/self/status has no VmRSS line");
    }

    static bool PolicyWanted => Environment.GetEnvironmentVariable("MEDANOMALY_MALLOC") != "system";

    [Fact]
    public void PolicyIsAppliedUnlessTheEnvironmentAsksForTheSystemDefaults()
    {
        Assert.Equal(PolicyWanted, HostMemory.PolicyApplied);
    }

    [Fact]
    public void FreedTensorMemoryIsKept_UntilReleased()
    {
        if (!PolicyWanted) return;
        GlobalTorchStateCollection.Settle();
        // 12 tensors of 16 MB: each is below glibc's largest mmap threshold, so it comes from the heap.
        var tensors = Enumerable.Range(0, 12).Select(_ => torch.ones(16 * Megabyte / sizeof(float))).ToList();
        double whileAlive = RssMegabytes();
        tensors.ForEach(t => t.Dispose());
        double afterFree = RssMegabytes();
        Assert.True(afterFree > whileAlive - 32, $"RSS fell from {whileAlive:F0} to {afterFree:F0} MB on free: the heap was trimmed");

        HostMemory.Release();
        double afterRelease = RssMegabytes();
        Assert.True(afterRelease < afterFree - 96, $"RSS only fell from {afterFree:F0} to {afterRelease:F0} MB on release");
    }
}
