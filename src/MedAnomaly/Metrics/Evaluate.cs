using MedAnomaly.Runtime;

namespace MedAnomaly.Metrics;

/// <summary>What to evaluate. Give <see cref="Maps"/> (per-pixel maps [N,H,W]) or <see cref="ImageScores"/> ([N]).</summary>
public sealed record MetricsInput
{
    public required int ImageCount { get; init; }
    public int Height { get; init; }
    public int Width { get; init; }
    /// <summary>Anomaly maps [N,H,W], row-major.</summary>
    public float[]? Maps { get; init; }
    /// <summary>Per-image scores [N] (used when there are no maps, or to override the map reduction).</summary>
    public double[]? ImageScores { get; init; }
    /// <summary>Image labels [N]; when null and <see cref="Masks"/> is given, an image is anomalous iff it has a lesion pixel.</summary>
    public bool[]? ImageLabels { get; init; }
    /// <summary>Lesion masks [N,H,W].</summary>
    public bool[]? Masks { get; init; }
    /// <summary>Foreground (brain) masks [N,H,W]: pixel metrics and image scores use only these pixels.</summary>
    public bool[]? Foreground { get; init; }
    /// <summary>Volume id of each image [N]; null = every image is its own volume.</summary>
    public int[]? VolumeIds { get; init; }
}

/// <summary>How to evaluate. Defaults: image score = mean of the map, exact best Dice, no post-processing, mask
/// metrics (Dice, sensitivity, specificity, FPR, HD95) at the pooled best-Dice threshold, and also at
/// <see cref="Threshold"/> when it is set; HD95 in pixels, empty masks by the BraTS convention.</summary>
public sealed record MetricsOptions
{
    public ImageScoring Scoring { get; init; } = ImageScoring.Mean;
    public BestDiceMode BestDiceMode { get; init; } = BestDiceMode.Exact;
    public ulong Seed { get; init; } = BestDice.DefaultSeed;
    /// <summary>Map post-processing before every metric (<see cref="MapPostProcessing"/>: foreground weighting, median filter,
    /// small components dropped from thresholded predictions); none by default.</summary>
    public MapPostProcessing Post { get; init; } = MapPostProcessing.None;
    /// <summary>Fixed threshold for the mask metrics (e.g. chosen on validation), reported besides the pooled best-Dice
    /// threshold; null = that threshold only.</summary>
    public double? Threshold { get; init; }
    public string ThresholdSource { get; init; } = "given";
    /// <summary>Image labels of one class only: NaN image-level metrics (the default: a test set of anomalous images only
    /// still gets its pixel metrics) or a <see cref="OneClassException"/>.</summary>
    public OneClassPolicy ImageOneClass { get; init; } = OneClassPolicy.NaN;
    /// <summary>Lesion masks with no lesion pixel (or nothing else) inside the foreground: a <see cref="OneClassException"/>
    /// (the default) or NaN pixel-level metrics.</summary>
    public OneClassPolicy PixelOneClass { get; init; } = OneClassPolicy.Throw;
    /// <summary>Voxel size for surface distances (HD95), in the order of the arrays' axes: (slice, row, column), or
    /// (row, column) without volume ids, or one isotropic value; distances are then in mm. Null: in pixels.</summary>
    public double[]? Spacing { get; init; }
    /// <summary>What HD95 is for a case with an empty prediction or lesion mask (default: the BraTS convention).</summary>
    public EmptyMaskConvention EmptyMasks { get; init; } = EmptyMaskConvention.BraTS;
}

/// <summary>Runs every image- and pixel-level metric on a test set and returns a <see cref="MetricsReport"/>.</summary>
public static class AnomalyMetrics
{
    public static MetricsReport Evaluate(MetricsInput input, MetricsOptions options)
    {
        int n = input.ImageCount;
        if (n <= 0) throw new ArgumentException("there are no images to evaluate");
        float[]? maps = input.Maps;
        long pixels = (long)n * input.Height * input.Width;
        if (maps != null) CheckPixelArray(maps.Length, pixels, "maps", input);
        if (input.Masks != null) CheckPixelArray(input.Masks.Length, pixels, "masks", input);
        if (input.Foreground != null) CheckPixelArray(input.Foreground.Length, pixels, "foreground", input);
        if (input.ImageLabels != null) MetricInputs.CheckSameLength(input.ImageLabels.Length, n, "image labels", "images");
        if (input.ImageScores != null) MetricInputs.CheckSameLength(input.ImageScores.Length, n, "image scores", "images");
        if (maps == null && input.ImageScores == null) throw new ArgumentException("give anomaly maps or image scores");
        if ((input.Masks != null || input.Foreground != null) && maps == null)
            throw new ArgumentException("lesion or foreground masks need per-pixel maps, but only image scores were given");

        if (maps != null) maps = options.Post.Apply(maps, n, input.Height, input.Width, input.Foreground);

        // The image and pixel levels, and within the pixel level the pooled and the per-volume sweeps, are independent:
        // they run side by side (each is deterministic, so the report does not depend on the scheduling).
        ImageLevelMetrics? image = null;
        PixelLevelMetrics? pixel = null;
        ParallelLoop.Invoke(
            () => image = ImageLevel(input, maps, options),
            () => pixel = input.Masks != null && maps != null ? PixelLevel(input, maps, options) : null);
        return new MetricsReport(n, input.Foreground != null, options.Post.Description, image, pixel);
    }

    static void CheckPixelArray(long length, long expected, string name, MetricsInput input)
    {
        if (length != expected)
            throw new ArgumentException($"{name} hold {length} values, expected N·H·W = {input.ImageCount}·{input.Height}·{input.Width} = {expected}");
    }

    static ImageLevelMetrics? ImageLevel(MetricsInput input, float[]? maps, MetricsOptions options)
    {
        bool[]? labels = input.ImageLabels ?? (input.Masks != null ? AnyLesion(input.Masks, input.ImageCount) : null);
        if (labels == null) return null;
        double[] scores = input.ImageScores ?? ImageScore.Compute(maps, input.ImageCount, options.Scoring, input.Foreground);
        string scoring = input.ImageScores != null ? "given" : options.Scoring.ToString();
        long positives = MetricInputs.CountTrue(labels);
        MetricInputs.CheckBothClasses(positives, labels.Length - positives, options.ImageOneClass, "image labels");
        return new ImageLevelMetrics(scoring, ThresholdSweep.Run(scores, labels, OneClassPolicy.NaN));
    }

    /// <summary>Image labels [N] from masks [N, ...]: true iff the image has a lesion pixel.</summary>
    public static bool[] AnyLesion(ReadOnlySpan<bool> masks, int imageCount)
    {
        int per = masks.Length / imageCount;
        var labels = new bool[imageCount];
        for (int i = 0; i < imageCount; i++) labels[i] = masks.Slice(i * per, per).Contains(true);
        return labels;
    }

    static PixelLevelMetrics PixelLevel(MetricsInput input, float[] maps, MetricsOptions options)
    {
        var groups = VolumeGroups.Group(input.ImageCount, input.VolumeIds);
        int perImage = input.Height * input.Width;
        // Without a foreground and with volumes in image order the pooled pixels are the maps and masks themselves.
        var (scores, labels, offsets) = input.Foreground == null && VolumeGroups.InImageOrder(groups)
            ? (maps, input.Masks!, VolumeGroups.ImageOffsets(groups, perImage))
            : VolumeGroups.Gather(maps, input.Masks, input.Foreground, perImage, groups);
        long positives = MetricInputs.CountTrue(labels);
        bool both = MetricInputs.CheckBothClasses(positives, labels.Length - positives, options.PixelOneClass,
                                                  input.Foreground != null ? "lesion masks (pixels inside the foreground)" : "lesion masks");
        // The per-volume curves run beside the pooled curve and the operating points, which need its threshold.
        SweepResult pooled = null!;
        BestDiceResult best = default;
        var points = new List<OperatingPoint>();
        PerVolumeMetrics perVolume = null!;
        ParallelLoop.Invoke(() =>
        {
            pooled = ThresholdSweep.Run(scores, labels, OneClassPolicy.NaN);
            best = options.BestDiceMode == BestDiceMode.Exact || !both
                ? new BestDiceResult(pooled.BestDice, pooled.BestDiceThreshold, options.BestDiceMode, pooled.DistinctPositiveScores)
                : BestDice.Compute(options.BestDiceMode, scores, labels, offsets, options.Seed);
            if (options.Threshold is double given) points.Add(At(input, maps, given, options.ThresholdSource, false, options));
            points.Add(At(input, maps, pooled.BestDiceThreshold, "pooled exact best-Dice threshold (oracle)", true, options));
        }, () => perVolume = PerVolume(scores, labels, offsets));
        return new PixelLevelMetrics(pooled, best, perVolume, points);
    }

    static OperatingPoint At(MetricsInput input, float[] maps, double threshold, string source, bool isOracle, MetricsOptions options) =>
        OperatingPoint.Evaluate(threshold, source, isOracle, SegmentationAtThreshold.Of(input, maps, threshold, options));

    /// <summary>Every curve metric on each volume alone, then mean ± std over the volumes with both classes.</summary>
    static PerVolumeMetrics PerVolume(float[] scores, bool[] labels, long[] offsets)
    {
        var metrics = MetricRegistry.Curve;
        var values = metrics.Select(_ => new List<double>()).ToArray();
        int volumes = offsets.Length - 1, skipped = 0;
        for (int v = 0; v < volumes; v++)
        {
            int start = (int)offsets[v], length = (int)(offsets[v + 1] - offsets[v]);
            var curve = ThresholdSweep.Curve(scores.AsSpan(start, length), labels.AsSpan(start, length), OneClassPolicy.NaN);
            if (!curve.HasBothClasses) { skipped++; continue; }
            for (int m = 0; m < metrics.Count; m++) values[m].Add(metrics[m].Compute(curve).Value);
        }
        return new PerVolumeMetrics(volumes, skipped, metrics.Select((m, i) => (m, MeanStd.Of(values[i]))).ToArray());
    }
}
