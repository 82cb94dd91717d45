using System.Runtime;
using MedAnomaly.Runtime;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Runtime;

/// <summary>
/// The guard against TorchSharp 0.107's Scalar finalizer race (src/MedAnomaly/Runtime/NoGcRegion.cs): while a unit of
/// work runs, no garbage collection happens even when another thread allocates; between units they do. Serial: a
/// region is process-wide, so a parallel test's region could end under this one.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public class NoGcRegionTests
{
    static volatile byte[]? sink;

    /// <summary>Allocates ~40 MB of short-lived arrays on another thread (over the test host's 16 MB gen-0 budget, under
    /// the region's 64 MB) and returns how many gen-0 collections happened meanwhile.</summary>
    static int CollectionsWhileAnotherThreadAllocates()
    {
        int before = GC.CollectionCount(0);
        var churn = new Thread(() =>
        {
            for (int i = 0; i < 330_000; i++) sink = new byte[100]; // a static sink: .NET 10 stack-allocates arrays that do not escape
        });
        churn.Start();
        churn.Join();
        return GC.CollectionCount(0) - before;
    }

    [Fact]
    public void NoCollectionRunsDuringTheWorkButOneDoesOutsideIt()
    {
        Assert.True(NoGcRegion.Enabled, "MEDANOMALY_GC_GUARD=off is set for the test run");
        GC.Collect(); // a region that ended leaves gen 0 the rest of its 64 MB budget until the next collection
        Assert.True(CollectionsWhileAnotherThreadAllocates() > 0, "control: the churn should cause a collection outside a region");
        int during = NoGcRegion.Run(CollectionsWhileAnotherThreadAllocates);
        Assert.Equal(0, during);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void NestedUnitsRunUnderTheOuterRegionAndTheOuterOneCloses()
    {
        var modes = NoGcRegion.Run(() => (GCSettings.LatencyMode, NoGcRegion.Run(() => GCSettings.LatencyMode), GCSettings.LatencyMode));
        Assert.Equal((GCLatencyMode.NoGCRegion, GCLatencyMode.NoGCRegion, GCLatencyMode.NoGCRegion), modes);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void WorkThatThrowsStillClosesTheRegion()
    {
        Assert.Throws<InvalidOperationException>(() => NoGcRegion.Run<int>(() => throw new InvalidOperationException("step failed")));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void WorkThatOutgrowsTheBudgetEndsTheRegionWithoutAnError()
    {
        long allocated = NoGcRegion.Run(() =>
        {
            long total = 0;
            while (total < 2 * NoGcRegion.Budget) { sink = new byte[1 << 20]; total += 1 << 20; }
            return total;
        });
        Assert.True(allocated >= 2 * NoGcRegion.Budget);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
