using System.Diagnostics;

namespace MedAnomaly.Experiments;

/// <summary>The process that began a run: host name, process id and the process's start time. The start time is
/// what tells a live owner from a new, unrelated process that was given the same id after the owner died.</summary>
public sealed record RunOwner(string Host, int Pid, DateTime ProcessStartedUtc)
{
    /// <summary>Start times read twice from <c>/proc</c> can differ by a clock tick; more than this is another process.</summary>
    static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(1);

    /// <summary>This process.</summary>
    public static RunOwner Current()
    {
        using var self = Process.GetCurrentProcess();
        return new RunOwner(Environment.MachineName, self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>True while the owner runs on this host, false once it has ended, null when it ran on another host
    /// (whose processes cannot be seen from here).</summary>
    public bool? IsAliveHere()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            using var process = Process.GetProcessById(Pid);
            if (process.HasExited) return false;
            return (process.StartTime.ToUniversalTime() - ProcessStartedUtc).Duration() <= StartTimeTolerance;
        }
        catch (ArgumentException) { return false; }         // no process has this id
        catch (InvalidOperationException) { return false; } // it exited while we looked
    }
}
