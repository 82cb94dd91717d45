namespace MedAnomaly.Metrics;

/// <summary>The maps binarised at one threshold, ready for the mask metrics: prediction = score ≥ t inside the
/// foreground (small components removed when asked), lesions = lesion mask inside the foreground, both [N,H,W];
/// confusion counts over foreground pixels; and the units surface metrics are computed on (volumes when volume
/// ids were given, else slices).</summary>
public sealed class SegmentationAtThreshold
{
    readonly bool[] _prediction, _lesions;

    public SegmentationAtThreshold(bool[] prediction, bool[] lesions, ConfusionCounts counts, int imageCount, int height, int width,
                                   IReadOnlyList<IReadOnlyList<int>>? volumes)
    {
        long pixels = (long)imageCount * height * width;
        MetricInputs.CheckSameLength(prediction.Length, pixels, "prediction", "N·H·W");
        MetricInputs.CheckSameLength(lesions.Length, pixels, "lesions", "N·H·W");
        _prediction = prediction; _lesions = lesions;
        Counts = counts; ImageCount = imageCount; Height = height; Width = width; Volumes = volumes;
    }

    /// <summary>Binarises maps [N,H,W] of <paramref name="input"/> at <paramref name="threshold"/> (score ≥ t),
    /// applying the foreground and <see cref="MetricsOptions.MinComponentSize"/>.</summary>
    public static SegmentationAtThreshold Of(MetricsInput input, ReadOnlySpan<float> maps, double threshold, MetricsOptions options)
    {
        bool[] masks = input.Masks ?? throw new ArgumentException("mask metrics need lesion masks");
        bool[]? fg = input.Foreground;
        var predicted = new bool[maps.Length];
        for (int i = 0; i < maps.Length; i++) predicted[i] = maps[i] >= threshold && (fg == null || fg[i]);
        if (options.MinComponentSize > 0)
            predicted = PostProcess.RemoveSmallComponents(predicted, input.ImageCount, input.Height, input.Width, options.MinComponentSize);
        var lesions = fg == null ? masks : masks.Select((lesion, i) => lesion && fg[i]).ToArray();
        var volumes = input.VolumeIds == null ? null : VolumeGroups.Group(input.ImageCount, input.VolumeIds);
        return new SegmentationAtThreshold(predicted, lesions, CountInForeground(predicted, masks, fg), input.ImageCount, input.Height, input.Width, volumes);
    }

    /// <summary>Confusion counts over the foreground pixels only (all pixels without a foreground).</summary>
    static ConfusionCounts CountInForeground(bool[] predicted, bool[] masks, bool[]? fg)
    {
        if (fg == null) return Dice.OfMasks(predicted, masks);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (!fg[i]) continue;
            if (masks[i]) { if (predicted[i]) tp++; else fn++; }
            else { if (predicted[i]) fp++; else tn++; }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /// <summary>Predicted lesion pixels [N,H,W] (false outside the foreground).</summary>
    public ReadOnlySpan<bool> Prediction => _prediction;

    /// <summary>Lesion pixels [N,H,W] inside the foreground.</summary>
    public ReadOnlySpan<bool> Lesions => _lesions;

    /// <summary>TP/FP/TN/FN over foreground pixels.</summary>
    public ConfusionCounts Counts { get; }

    public int ImageCount { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Image indices of each volume, slices in input order; null = no volume ids (each slice on its own).</summary>
    public IReadOnlyList<IReadOnlyList<int>>? Volumes { get; }
}
