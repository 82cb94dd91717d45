using System.Runtime.InteropServices;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// CPU time of this process, all threads (clock_gettime(CLOCK_PROCESS_CPUTIME_ID), as Python's time.process_time):
/// less sensitive than wall time to other jobs on a shared machine, which take cores away but not CPU seconds.
/// Threads that spin while waiting count as busy (this process sets OMP_WAIT_POLICY=PASSIVE; OpenBLAS's pool in a
/// Python peer spins up to ~0.1 s).
/// </summary>
public static class ProcessCpu
{
    const int ProcessCpuTimeClock = 2;   // CLOCK_PROCESS_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    public static double Milliseconds()
    {
        if (ClockGetTime(ProcessCpuTimeClock, out var t) != 0) return double.NaN;
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }
}
