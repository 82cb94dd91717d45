namespace MedAnomaly.Metrics;

/// <summary>The maps binarised at one threshold, ready for the mask metrics: prediction = score ≥ t inside the
/// foreground (small components removed when asked), lesions = lesion mask inside the foreground, both [N,H,W];
/// confusion counts over foreground pixels; and the cases surface metrics are computed on: each volume in 3D (its
/// slices stacked in input order) when volume ids were given, else each slice in 2D.</summary>
public sealed class SegmentationAtThreshold
{
    readonly bool[] _prediction, _lesions;

    public SegmentationAtThreshold(bool[] prediction, bool[] lesions, ConfusionCounts counts, int imageCount, int height, int width,
                                   IReadOnlyList<IReadOnlyList<int>>? volumes, double[]? spacing = null, EmptyMaskConvention? emptyMasks = null)
    {
        long pixels = (long)imageCount * height * width;
        MetricInputs.CheckSameLength(prediction.Length, pixels, "prediction", "N·H·W");
        MetricInputs.CheckSameLength(lesions.Length, pixels, "lesions", "N·H·W");
        _prediction = prediction; _lesions = lesions;
        Counts = counts; ImageCount = imageCount; Height = height; Width = width; Volumes = volumes;
        Spacing = spacing; EmptyMasks = emptyMasks ?? EmptyMaskConvention.BraTS;
        CaseSpacing = SpacingPerAxis(spacing, volumes != null);
    }

    /// <summary>Binarises maps [N,H,W] of <paramref name="input"/> at <paramref name="threshold"/> (score ≥ t),
    /// applying the foreground and <see cref="MapPostProcessing.MinComponentSize"/> of <see cref="MetricsOptions.Post"/>.</summary>
    public static SegmentationAtThreshold Of(MetricsInput input, ReadOnlySpan<float> maps, double threshold, MetricsOptions options)
    {
        bool[] masks = input.Masks ?? throw new ArgumentException("mask metrics need lesion masks");
        bool[]? fg = input.Foreground;
        var predicted = new bool[maps.Length];
        for (int i = 0; i < maps.Length; i++) predicted[i] = maps[i] >= threshold && (fg == null || fg[i]);
        if (options.Post.MinComponentSize > 0)
            predicted = PostProcess.RemoveSmallComponents(predicted, input.ImageCount, input.Height, input.Width, options.Post.MinComponentSize);
        var lesions = fg == null ? masks : masks.Select((lesion, i) => lesion && fg[i]).ToArray();
        var volumes = input.VolumeIds == null ? null : VolumeGroups.Group(input.ImageCount, input.VolumeIds);
        return new SegmentationAtThreshold(predicted, lesions, CountInForeground(predicted, masks, fg), input.ImageCount, input.Height, input.Width,
                                           volumes, options.Spacing, options.EmptyMasks);
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

    /// <summary>The voxel size as given (<see cref="MetricsOptions.Spacing"/>); null = distances in pixels.</summary>
    public double[]? Spacing { get; }

    /// <summary>The spacing of one case's axes: [slice, row, column] for volumes, [row, column] for slices.</summary>
    public double[] CaseSpacing { get; }

    /// <summary>What a surface distance is when a case has an empty mask.</summary>
    public EmptyMaskConvention EmptyMasks { get; }

    /// <summary>Number of cases: volumes, or slices without volume ids.</summary>
    public int CaseCount => Volumes?.Count ?? ImageCount;

    /// <summary>"volume" (3D) or "slice" (2D).</summary>
    public string CaseKind => Volumes != null ? "volume" : "slice";

    /// <summary>Prediction and lesions of case <paramref name="index"/>, row-major, and their shape:
    /// [slices, H, W] for a volume (slices in input order), [H, W] for a slice.</summary>
    public (bool[] Prediction, bool[] Lesions, int[] Shape) Case(int index)
    {
        IReadOnlyList<int> images = Volumes != null ? Volumes[index] : [index];
        int plane = Height * Width;
        var prediction = new bool[images.Count * plane];
        var lesions = new bool[images.Count * plane];
        for (int k = 0; k < images.Count; k++)
        {
            _prediction.AsSpan(images[k] * plane, plane).CopyTo(prediction.AsSpan(k * plane));
            _lesions.AsSpan(images[k] * plane, plane).CopyTo(lesions.AsSpan(k * plane));
        }
        int[] shape = Volumes != null ? [images.Count, Height, Width] : [Height, Width];
        return (prediction, lesions, shape);
    }

    /// <summary>How many cases have both masks empty, only an empty prediction, only an empty lesion mask.</summary>
    public CaseSummary Summarize()
    {
        int both = 0, prediction = 0, lesion = 0;
        for (int c = 0; c < CaseCount; c++)
        {
            var (p, l, _) = Case(c);
            bool noPrediction = !p.AsSpan().Contains(true), noLesion = !l.AsSpan().Contains(true);
            if (noPrediction && noLesion) both++; else if (noPrediction) prediction++; else if (noLesion) lesion++;
        }
        return new CaseSummary(CaseKind, CaseCount, both, prediction, lesion, Spacing, EmptyMasks);
    }

    /// <summary>Per-axis spacing of a case from the given one: null → 1 (pixels); one value → isotropic; three
    /// values = (slice, row, column); two = (row, column), for slices only.</summary>
    static double[] SpacingPerAxis(double[]? spacing, bool volumes)
    {
        int axes = volumes ? 3 : 2;
        if (spacing == null) return Enumerable.Repeat(1.0, axes).ToArray();
        foreach (double s in spacing)
            if (!double.IsFinite(s) || s <= 0) throw new ArgumentException($"spacing values must be finite and > 0, got {string.Join(",", spacing)}");
        return spacing.Length switch
        {
            1 => Enumerable.Repeat(spacing[0], axes).ToArray(),
            2 when !volumes => [spacing[0], spacing[1]],
            3 => volumes ? [spacing[0], spacing[1], spacing[2]] : [spacing[1], spacing[2]],
            _ => throw new ArgumentException(volumes
                ? $"surface distances per volume (3D) need spacing (slice, row, column) or one isotropic value, got {spacing.Length} values"
                : $"spacing must be (row, column), (slice, row, column) or one isotropic value, got {spacing.Length} values"),
        };
    }
}

/// <summary>The cases surface metrics were computed on, at one operating point.</summary>
/// <param name="Kind">"volume" (3D, slices stacked in input order) or "slice" (2D).</param>
/// <param name="Count">Number of cases.</param>
/// <param name="BothEmpty">Cases with neither a predicted nor a lesion pixel.</param>
/// <param name="PredictionEmpty">Cases with lesions but no prediction.</param>
/// <param name="LesionEmpty">Cases with a prediction but no lesion.</param>
/// <param name="Spacing">Voxel size as given; null = distances in pixels.</param>
/// <param name="EmptyMasks">The convention applied to the empty cases.</param>
public sealed record CaseSummary(string Kind, int Count, int BothEmpty, int PredictionEmpty, int LesionEmpty, double[]? Spacing, EmptyMaskConvention EmptyMasks)
{
    /// <summary>"mm" with a spacing, else "px".</summary>
    public string Unit => Spacing == null ? "px" : "mm";
}
