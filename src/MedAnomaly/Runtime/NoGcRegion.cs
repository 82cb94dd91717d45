using System.Runtime;

namespace MedAnomaly.Runtime;

/// <summary>
/// Runs a unit of libtorch work (a training step, a scoring call) inside <see cref="GC.TryStartNoGCRegion(long)"/>, so
/// that no collection can finalize a temporary <see cref="TorchSharp.Scalar"/> while libtorch still reads it (a race in
/// TorchSharp 0.107, dotnet/TorchSharp#1434; docs/stack.md, "Temporary Scalars freed mid-call"). One region per
/// process; <c>MEDANOMALY_GC_GUARD=off</c> turns it off. The benchmark app's <c>scalar-race</c> check reproduces the race.
/// </summary>
public static class NoGcRegion
{
    /// <summary>Bytes the work may allocate (managed, all threads) before the runtime ends the region with a collection.</summary>
    public const long Budget = 64L << 20;

    static readonly Lock gate = new();
    static int ownerThread; // the managed thread id that opened the current region; 0 = none

    /// <summary>Whether the guard is on (<c>MEDANOMALY_GC_GUARD</c> is not <c>off</c>).</summary>
    public static bool Enabled { get; } = !string.Equals(Environment.GetEnvironmentVariable("MEDANOMALY_GC_GUARD"), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs <paramref name="work"/> with no garbage collection while it runs (within <see cref="Budget"/>).</summary>
    public static T Run<T>(Func<T> work)
    {
        bool opened = TryOpen();
        try { return work(); }
        finally { if (opened) Close(); }
    }

    static bool TryOpen()
    {
        if (!Enabled) return false;
        lock (gate)
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return false; // another unit's region covers this one
            try
            {
                if (!GC.TryStartNoGCRegion(Budget)) return false;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
            {
                return false; // a region opened elsewhere in between, or a runtime whose limit is below the budget
            }
            ownerThread = Environment.CurrentManagedThreadId;
            return true;
        }
    }

    static void Close()
    {
        lock (gate)
        {
            // The runtime ends a region by itself once the budget is spent; another thread may have opened the next one.
            if (ownerThread != Environment.CurrentManagedThreadId) return;
            ownerThread = 0;
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
            try { GC.EndNoGCRegion(); }
            catch (InvalidOperationException) { } // the region ended between the check and the call
        }
    }
}
