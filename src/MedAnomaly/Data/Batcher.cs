using System.Collections.Concurrent;
using MedAnomaly.Randomness;

namespace MedAnomaly.Data;

/// <summary>A batch of N items of one size: images as one contiguous [N, C, H, W] array.</summary>
/// <param name="Images">[N·C·H·W] float32, item-major (NCHW).</param>
/// <param name="Shape">{N, C, H, W}, ready for torch.tensor(Images, Shape).</param>
/// <param name="Labels">[N] image-level labels.</param>
/// <param name="Masks">[N·1·H·W] lesion masks {0, 1} (zeros for items without a mask).</param>
/// <param name="Foreground">[N·1·H·W] foreground masks {0, 1}.</param>
/// <param name="Indices">[N] dataset indices of the items, for tracing back.</param>
public sealed record Batch(float[] Images, long[] Shape, int[] Labels, float[] Masks, float[] Foreground, int[] Indices, IReadOnlyList<SliceItem> Items)
{
    /// <summary>{N, 1, H, W}: the shape of <see cref="Masks"/> and <see cref="Foreground"/>.</summary>
    public long[] PlaneShape => [Shape[0], 1, Shape[2], Shape[3]];
}

/// <summary>
/// Batches items in a seeded shuffled order, assembling batches on a background thread into a bounded
/// queue (prefetch) so that loading overlaps with training. Cancellable; an exception while loading an item
/// reaches the consumer as an <see cref="InvalidDataException"/> naming the item.
/// </summary>
public sealed class Batcher
{
    private readonly Func<int, SliceItem> _load;
    private readonly Func<int, string> _describe;

    public int Count { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; init; } = true;
    public bool DropLast { get; init; }
    /// <summary>How many assembled batches may wait in the queue.</summary>
    public int Prefetch { get; init; } = 4;
    public ulong Seed { get; }

    /// <summary>Batches over <paramref name="count"/> items produced by <paramref name="load"/> (called on the
    /// background thread); <paramref name="describe"/> names item i in error messages.</summary>
    public Batcher(int count, Func<int, SliceItem> load, int batchSize, ulong seed, Func<int, string>? describe = null)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {batchSize}");
        if (count < 0) throw new ArgumentException($"item count must be non-negative, got {count}");
        Count = count; _load = load; BatchSize = batchSize; Seed = seed;
        _describe = describe ?? (i => $"item {i}");
    }

    public Batcher(SliceDataset dataset, int batchSize, ulong seed)
        : this(dataset.Count, i => dataset[i], batchSize, seed, i => dataset[i].Origin) { }

    /// <summary>The item order of epoch <paramref name="epoch"/>: a permutation drawn from (seed, epoch), or 0..N−1 unshuffled.</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (Shuffle) new SeededRandom(SeededRandom.Derive(Seed, (ulong)epoch)).Shuffle(order);
        return order;
    }

    /// <summary>The batches of one epoch. The background producer stops when the enumeration ends, is disposed
    /// or <paramref name="ct"/> is cancelled.</summary>
    public IEnumerable<Batch> Epoch(int epoch = 0, CancellationToken ct = default)
    {
        var order = Order(epoch);
        int batches = DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var queue = new BlockingCollection<(Batch? batch, Exception? error)>(Math.Max(1, Prefetch));
        // A dedicated thread (LongRunning), so a busy thread pool cannot delay the producer.
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                for (int b = 0; b < batches && !cts.IsCancellationRequested; b++)
                    queue.Add((Assemble(order, b * BatchSize, Math.Min(BatchSize, Count - b * BatchSize)), null), cts.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { try { queue.Add((null, e), cts.Token); } catch (OperationCanceledException) { } }
            finally { queue.CompleteAdding(); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var (batch, error) in queue.GetConsumingEnumerable(cts.Token))
            {
                if (error is not null) throw error;
                yield return batch!;
            }
            ct.ThrowIfCancellationRequested();
        }
        finally
        {
            cts.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    private Batch Assemble(int[] order, int start, int n)
    {
        var items = new SliceItem[n];
        for (int k = 0; k < n; k++)
        {
            int index = order[start + k];
            try { items[k] = _load(index); }
            catch (Exception e) { throw new InvalidDataException($"loading {_describe(index)} failed: {e.Message}", e); }
        }
        int h = items[0].Height, w = items[0].Width, c = items[0].Channels, plane = h * w;
        var images = new float[n * c * plane];
        var masks = new float[n * plane];
        var fg = new float[n * plane];
        var labels = new int[n];
        for (int k = 0; k < n; k++)
        {
            var it = items[k];
            if (it.Height != h || it.Width != w)
                throw new InvalidDataException($"{it.Origin} is {it.Height}x{it.Width} but the batch is {h}x{w}; add a resize or crop_or_pad step");
            if (it.Channels != c || it.Image.Length != c * plane)
                throw new InvalidDataException($"{it.Origin} has {it.Channels} channel(s) ({it.Image.Length} values) but the batch has {c} of {h}x{w}");
            it.Image.CopyTo(images, k * c * plane);
            if (it.Mask is not null) for (int i = 0; i < plane; i++) masks[k * plane + i] = it.Mask[i];
            for (int i = 0; i < plane; i++) fg[k * plane + i] = it.Foreground[i];
            labels[k] = it.Label;
        }
        return new Batch(images, new long[] { n, c, h, w }, labels, masks, fg, order[start..(start + n)], items);
    }
}
