using System.Runtime.InteropServices;

namespace MedAnomaly.Runtime;

/// <summary>
/// Keeps host memory that a training step frees in the process for the next step (glibc malloc tuning).
/// libtorch frees and re-allocates the same large activation buffers every step; with glibc's defaults,
/// buffers above the dynamic mmap threshold go back to the kernel and are faulted in (and zeroed) again
/// on the next step (~22,000 page faults a step for the benchmark UNet in PyTorch), and heap trimming
/// makes the resident set saw-tooth. Setting the largest mmap threshold (32 MB on 64-bit), trimming only
/// past 2 GB free and growing the heap in 64 MB steps keeps it flat. <c>MEDANOMALY_MALLOC=system</c> keeps
/// glibc's defaults; <see cref="Release"/> gives free memory back on demand (malloc_trim).
/// </summary>
public static class HostMemory
{
    const int MallocTrimThreshold = -1, MallocTopPad = -2, MallocMmapThreshold = -3;
    const int LargestMmapThreshold = 32 * 1024 * 1024, TopPad = 64 * 1024 * 1024;

    /// <summary>Whether the policy is in force in this process.</summary>
    public static bool PolicyApplied { get; private set; }

    /// <summary>Applies the policy once (glibc only); called by <see cref="TorchNative.EnsureLoaded"/>.</summary>
    public static void ApplyPolicy()
    {
        if (PolicyApplied || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MEDANOMALY_MALLOC") == "system") return;
        try
        {
            PolicyApplied = mallopt(MallocMmapThreshold, LargestMmapThreshold) == 1
                            && mallopt(MallocTrimThreshold, int.MaxValue) == 1
                            && mallopt(MallocTopPad, TopPad) == 1;
        }
        catch (EntryPointNotFoundException) { PolicyApplied = false; } // not glibc (e.g. musl)
    }

    /// <summary>Returns free heap memory to the kernel; true when some was released.</summary>
    public static bool Release() => OperatingSystem.IsLinux() && malloc_trim(0) == 1;

    [DllImport("libc.so.6")] static extern int mallopt(int parameter, int value);
    [DllImport("libc.so.6")] static extern int malloc_trim(nuint pad);
}
