using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

public class BatcherTests
{
    private static SliceItem Item(int i) =>
        new(Enumerable.Repeat((float)i, 4).ToArray(), 2, 2, i % 2, null, new byte[] { 1, 1, 1, 1 }, $"file{i}.nii", 2, i, "train");

    private static Batcher Make(int count, int batch, ulong seed) => new(count, Item, batch, seed, i => $"file{i}.nii[slice={i}]");

    [Fact]
    public void Batches_are_contiguous_nchw_with_labels()
    {
        var batches = Make(10, 4, 1).Epoch().ToList();
        Assert.Equal(new[] { 4, 4, 2 }, batches.Select(b => b.Labels.Length));
        var b0 = batches[0];
        Assert.Equal(new long[] { 4, 1, 2, 2 }, b0.Shape);
        Assert.Equal(16, b0.Images.Length);
        for (int k = 0; k < 4; k++)
        {
            Assert.All(b0.Images[(k * 4)..(k * 4 + 4)], v => Assert.Equal(b0.Indices[k], (int)v));
            Assert.Equal(b0.Indices[k] % 2, b0.Labels[k]);
        }
        // Every item exactly once per epoch.
        Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b.Indices).Order());
    }

    [Fact]
    public void Order_is_deterministic_per_seed_and_epoch()
    {
        var a = Make(50, 8, 7).Epoch(0).SelectMany(b => b.Indices).ToArray();
        Assert.Equal(a, Make(50, 8, 7).Epoch(0).SelectMany(b => b.Indices).ToArray());
        Assert.NotEqual(a, Make(50, 8, 8).Epoch(0).SelectMany(b => b.Indices).ToArray());
        Assert.NotEqual(a, Make(50, 8, 7).Epoch(1).SelectMany(b => b.Indices).ToArray());
        Assert.Equal(Enumerable.Range(0, 50), new Batcher(50, Item, 8, 7) { Shuffle = false }.Epoch().SelectMany(b => b.Indices));
        Assert.Equal(6, new Batcher(50, Item, 8, 7) { DropLast = true }.Epoch().Count());
    }

    [Fact]
    public void Loader_exception_reaches_the_consumer_naming_the_item()
    {
        var batcher = new Batcher(20, i => i == 13 ? throw new InvalidDataException("truncated gzip stream") : Item(i), 4, 3,
                                  i => $"file{i}.nii[slice={i}]") { Shuffle = false };
        var seen = new List<Batch>();
        var e = Assert.Throws<InvalidDataException>(() => { foreach (var b in batcher.Epoch()) seen.Add(b); });
        Assert.Equal("loading file13.nii[slice=13] failed: truncated gzip stream", e.Message);
        Assert.Equal(3, seen.Count);   // batches before the failing one were delivered
    }

    [Fact]
    public void Mixed_sizes_are_rejected_with_the_item_named()
    {
        var batcher = new Batcher(2, i => i == 0 ? Item(0) : new SliceItem(new float[9], 3, 3, 0, null, new byte[9], "odd.nii", 2, 5, "t"), 2, 0) { Shuffle = false };
        var e = Assert.Throws<InvalidDataException>(() => batcher.Epoch().ToList());
        Assert.Contains("odd.nii[axis=2, slice=5] is 3x3 but the batch is 2x2", e.Message);
    }

    [Fact]
    public void Cancellation_stops_the_epoch()
    {
        using var cts = new CancellationTokenSource();
        int produced = 0;
        var batcher = new Batcher(1000, i => { Interlocked.Increment(ref produced); return Item(i); }, 1, 0) { Prefetch = 2 };
        var count = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in batcher.Epoch(0, cts.Token)) { if (++count == 3) cts.Cancel(); }
        });
        Assert.True(produced < 20, $"producer kept running: {produced} items");
    }

    [Fact]
    public void Breaking_out_early_stops_the_producer()
    {
        int produced = 0;
        var batcher = new Batcher(1000, i => { Interlocked.Increment(ref produced); return Item(i); }, 1, 0) { Prefetch = 2 };
        foreach (var _ in batcher.Epoch()) break;
        Thread.Sleep(50);
        Assert.True(produced < 20, $"producer kept running: {produced} items");
    }
}
