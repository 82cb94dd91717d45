using System.Runtime;

namespace MedAnomaly.Runtime;

/// <summary>
/// Runs a unit of libtorch work (a training step, a scoring call) with the garbage collector held off, as a guard
/// against a race in TorchSharp 0.107.
/// <para>The race: <c>x * 2.0</c> or <c>x.lt(n)</c> converts the number to a temporary <see cref="TorchSharp.Scalar"/>,
/// a managed object with a finalizer that frees a native <c>c10::Scalar</c>. TorchSharp passes its handle to libtorch
/// without keeping the object alive through the call (no <c>GC.KeepAlive</c>; upstream PRs dotnet/TorchSharp#1434 and
/// #1496 are open), so a GC that another thread starts during the call can find it dead, and the finalizer thread can
/// free the native Scalar while libtorch reads it: "Expected false to be true" in <c>c10::Scalar::toDouble</c> or
/// "Unknown scalar type", which ended two of five <c>detectors</c> benchmark runs in one morning. The benchmark app's
/// <c>scalar-race</c> check reproduces it within seconds (after 120,000 operations in one run) and shows that this
/// guard stops it.</para>
/// <para>The guard: <see cref="GC.TryStartNoGCRegion(long)"/> before the work, so that no collection runs (on any thread)
/// until the work ends or has allocated <see cref="Budget"/> bytes. Collections happen between units instead, when no
/// libtorch call of that thread is in flight; objects found dead there are no longer used. The cost is one blocking
/// collection per unit, small against a step with the library's managed heap of tens of MB. One region exists per
/// process: a thread that finds another's region open runs under it. <c>MEDANOMALY_GC_GUARD=off</c> turns it off.</para>
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
