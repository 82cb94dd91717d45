using MedAnomaly.Data;
using MedAnomaly.Methods;
using MedAnomaly.Metrics;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Experiments;

/// <summary>
/// A detector's output over a test set, as flat arrays (slice-major): the anomaly maps (H·W per slice), the
/// reconstructions (C·H·W per slice, when the method makes one) and the image scores, with the slices they belong to.
/// </summary>
public sealed record ScoredSet(IReadOnlyList<SliceItem> Slices, int Height, int Width, float[] Maps, float[]? Reconstructions, double[] Scores,
                               int Channels = 1)
{
    /// <summary>Scores <paramref name="test"/> in batches (no gradients; every temporary freed per batch), reporting the
    /// slices scored as phase "scoring".</summary>
    public static ScoredSet Score(IAnomalyDetector detector, SliceDataset test, int batchSize = 16, string? device = null,
                                  IProgress<WorkProgress>? progress = null)
    {
        if (test.Count == 0) throw new ArgumentException("the test set is empty");
        var scored = WorkProgress.Start(progress, "scoring", test.Count, "slices");
        int h = test[0].Height, w = test[0].Width, c = test[0].Channels, plane = h * w;
        var maps = new float[test.Count * plane];
        float[]? recon = null;
        var scores = new double[test.Count];
        using var noGrad = torch.no_grad();
        for (int start = 0; start < test.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var items = Enumerable.Range(start, Math.Min(batchSize, test.Count - start)).Select(i => test[i]).ToList();
            var (images, foreground) = Tensors(items, h, w, c, device);
            var output = detector.Score(images, foreground);
            output.Map.cpu().data<float>().CopyTo(maps, start * plane);
            if (output.Reconstruction is not null)
                output.Reconstruction.clamp(0, 1).cpu().data<float>().CopyTo(recon ??= new float[maps.Length * c], start * c * plane);
            var s = output.Score.to(ScalarType.Float64).cpu().data<double>().ToArray();
            s.CopyTo(scores, start);
            scored.Add(items.Count);
        }
        return new ScoredSet(test.Items, h, w, maps, recon, scores, c);
    }

    static (Tensor Images, Tensor Foreground) Tensors(List<SliceItem> items, int h, int w, int c, string? device)
    {
        int plane = h * w;
        var images = new float[items.Count * c * plane];
        var foreground = new float[items.Count * plane];
        for (int k = 0; k < items.Count; k++)
        {
            if (items[k].Height != h || items[k].Width != w || items[k].Channels != c)
                throw new InvalidDataException($"{items[k].Origin} is {items[k].Channels}×{items[k].Height}x{items[k].Width}, the test set is {c}×{h}x{w}");
            items[k].Image.CopyTo(images, k * c * plane);
            for (int i = 0; i < plane; i++) foreground[k * plane + i] = items[k].Foreground[i];
        }
        var target = device is null ? torch.CPU : torch.device(device);
        return (torch.tensor(images, [items.Count, c, h, w]).to(target), torch.tensor(foreground, [items.Count, 1, h, w]).to(target));
    }

    /// <summary>Pixel metrics inside the brain and image metrics, after <paramref name="post"/> (none by default), with image
    /// scores from the post-processed maps under <paramref name="scoring"/> (<see cref="ImageScoring.Default"/>), per-volume ids.</summary>
    /// <param name="volumeIds">Per slice; by default the slices' own (<see cref="SliceDataset.VolumeIdsOf"/>).</param>
    public MetricsReport Evaluate(int[]? volumeIds = null, ImageScoring? scoring = null, MapPostProcessing? post = null)
    {
        post ??= MapPostProcessing.None;
        var foreground = Slices.SelectMany(s => s.Foreground.Select(v => v > 0)).ToArray();
        return AnomalyMetrics.Evaluate(new MetricsInput
        {
            ImageCount = Slices.Count,
            Height = Height,
            Width = Width,
            Maps = Maps,
            Masks = Slices.SelectMany(s => s.Mask is null ? new bool[Height * Width] : s.Mask.Select(v => v > 0)).ToArray(),
            Foreground = foreground,
            VolumeIds = volumeIds ?? SliceDataset.VolumeIdsOf(Slices),
        }, new MetricsOptions { Scoring = scoring ?? ImageScoring.Default, Post = post });
    }

    /// <summary>The slices at <paramref name="indices"/>, in that order, with their maps, reconstructions and scores.</summary>
    public ScoredSet Subset(IReadOnlyList<int> indices)
    {
        int plane = Height * Width;
        float[] Pick(float[] values) => indices.SelectMany(i => values.AsSpan(i * plane, plane).ToArray()).ToArray();
        return new ScoredSet(indices.Select(i => Slices[i]).ToList(), Height, Width, Pick(Maps),
            Reconstructions is null ? null : Pick(Reconstructions), indices.Select(i => Scores[i]).ToArray());
    }

    /// <summary>Every metric under each post-processing of <paramref name="settings"/>, split "test" for the first and
    /// "test[name]" for the others (<see cref="EvaluationSettings.SplitOf"/>), reporting the post-processings evaluated as
    /// phase "evaluating".</summary>
    public IReadOnlyList<MetricValue> Metrics(EvaluationSettings? settings = null, int[]? volumeIds = null, IProgress<WorkProgress>? progress = null)
    {
        settings ??= EvaluationSettings.Default;
        var evaluated = WorkProgress.Start(progress, "evaluating", settings.PostProcessing.Count, "post-processings");
        var metrics = new List<MetricValue>();
        foreach (var post in settings.PostProcessing)
        {
            metrics.AddRange(MetricRows.From(Evaluate(volumeIds, settings.ImageScore, post)).Select(m => m with { Split = settings.SplitOf(post) }));
            evaluated.Add();
        }
        return metrics;
    }
}
