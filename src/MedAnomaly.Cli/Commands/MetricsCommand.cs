using System.CommandLine;
using System.Globalization;
using MedAnomaly.Data;
using MedAnomaly.Metrics;

namespace MedAnomaly.Cli.Commands;

/// <summary><c>medanomaly metrics</c>: every image- and pixel-level metric of a set of anomaly maps (or image scores)
/// read from .npy files.</summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var scores = new Option<string>("--scores") { Description = ".npy of anomaly maps [N,H,W] or [N,1,H,W], or image scores [N]; or a NIfTI volume (.nii/.nii.gz), read as its axial slices [nz,ny,nx]" };
        var labels = new Option<string?>("--labels") { Description = ".npy of image labels [N] (non-zero = anomalous); default: any lesion pixel in --masks" };
        var masks = new Option<string?>("--masks") { Description = ".npy or NIfTI lesion masks, same shape as the maps (non-zero = lesion)" };
        var foreground = new Option<string?>("--foreground") { Description = ".npy or NIfTI foreground (brain) masks, same shape as the maps; metrics use only its pixels" };
        var volumeIds = new Option<string?>("--volume-ids") { Description = ".npy of integer volume ids [N] grouping slices for per-volume metrics; default: each image is its own volume" };
        var imageScore = new Option<string>("--image-score") { Description = "image score from a map: mean, max or topK (e.g. top100 = mean of the 100 largest pixels) over all pixels, or fg-mean, fg-max, fg-topK over the foreground only", DefaultValueFactory = _ => "mean" };
        var bestDice = new Option<string>("--best-dice") { Description = "best-Dice search: exact (all distinct thresholds), medianomaly (~200 quantiles) or disyre (10,000 pixels/volume, 200 linspace)", DefaultValueFactory = _ => "exact" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the DISYRE pixel sampling", DefaultValueFactory = _ => BestDice.DefaultSeed };
        var median = new Option<int>("--median") { Description = "k×k median filter applied to each map before the metrics (odd k; 0 = none; the same as --post medianK)" };
        var minComponent = new Option<int>("--min-component") { Description = "drop 8-connected components smaller than this many pixels from the thresholded prediction (0 = none; the same as --post ccN)" };
        var threshold = new Option<double?>("--threshold") { Description = "threshold for Dice/sensitivity/specificity/FPR (e.g. chosen on validation); default: the pooled best-Dice threshold" };
        var spacing = new Option<string?>("--spacing") { Description = "voxel size for HD95 in the arrays' axis order: slice,row,column (e.g. 1,1,1), row,column without --volume-ids, or one isotropic value; distances then in mm (default: pixels)" };
        var emptyMasks = new Option<string>("--empty-masks") { Description = "HD95 of a case with an empty prediction or lesion mask: brats (both empty 0, one empty 373.12866) or skip (left out of the mean)", DefaultValueFactory = _ => EmptyMaskConvention.BraTS.Name };
        var post = new Option<string>("--post") { Description = "map post-processing before every metric: none, fg-weight (each slice's map × its brain fraction; needs --foreground), medianK, ccN, or steps joined by '+'", DefaultValueFactory = _ => "none" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        var oneClass = new Option<string>("--one-class") { Description = "labels or masks of one class only (AUROC, AP, best Dice undefined): error (exit 1) or nan (print NaN for them)", DefaultValueFactory = _ => "error" };
        var list = new Option<bool>("--list-metrics") { Description = "print every metric's name and definition, then exit" };

        var cmd = new Command("metrics", $"{string.Join(", ", MetricRegistry.Curve.Select(m => m.Label))} (image and pixel level), and "
                                         + $"{string.Join(", ", MetricRegistry.Mask.Select(m => m.Label))} at a threshold, from .npy or NIfTI files");
        foreach (var o in new Option[] { scores, labels, masks, foreground, volumeIds, imageScore, bestDice, seed, median, minComponent, threshold, spacing, emptyMasks, post, json, oneClass, list })
            cmd.Options.Add(o);
        cmd.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var policy = ParseOneClass(parse.GetValue(oneClass)!);
            if (parse.GetValue(list)) { Console.Write(ListMetrics()); return 0; }
            string scoresPath = parse.GetValue(scores) ?? throw new ArgumentException("give --scores (anomaly maps [N,H,W] or image scores [N])");
            var input = LoadInput(scoresPath, parse.GetValue(labels), parse.GetValue(masks), parse.GetValue(foreground), parse.GetValue(volumeIds));
            var postProcessing = MapPostProcessing.Parse(parse.GetValue(post)!);
            if (parse.GetValue(median) is > 0 and var k) postProcessing = postProcessing with { MedianFilter = k };
            if (parse.GetValue(minComponent) is > 0 and var c) postProcessing = postProcessing with { MinComponentSize = c };
            var options = new MetricsOptions
            {
                Scoring = ImageScoring.Parse(parse.GetValue(imageScore)!),
                BestDiceMode = ParseMode(parse.GetValue(bestDice)!),
                Seed = parse.GetValue(seed),
                Post = postProcessing,
                Threshold = parse.GetValue(threshold),
                Spacing = ParseSpacing(parse.GetValue(spacing)),
                EmptyMasks = EmptyMaskConvention.Parse(parse.GetValue(emptyMasks)!),
                ImageOneClass = policy,
                PixelOneClass = policy,
            };
            MetricsReport report;
            try { report = AnomalyMetrics.Evaluate(input, options); }
            catch (OneClassException e) { throw new ArgumentException($"{e.Problem}; pass --one-class nan to print NaN for them instead", e); }
            Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            return 0;
        }));
        return cmd;
    }

    /// <summary>One line per registered metric: its name (the JSON key) and definition.</summary>
    public static string ListMetrics()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("curve metrics (image level, pixel level pooled and per volume):");
        foreach (var m in MetricRegistry.Curve) sb.AppendLine(CultureInfo.InvariantCulture, $"  {m.Name,-24} {m.Definition}");
        sb.AppendLine("mask metrics (at the given threshold and at the pooled best-Dice threshold):");
        foreach (var m in MetricRegistry.Mask) sb.AppendLine(CultureInfo.InvariantCulture, $"  {m.Name,-24} {m.Definition}");
        return sb.ToString();
    }

    /// <summary>Reads the .npy files and checks their shapes against each other.</summary>
    public static MetricsInput LoadInput(string scoresPath, string? labelsPath, string? masksPath, string? foregroundPath, string? volumeIdsPath)
    {
        if (labelsPath == null && masksPath == null) throw new ArgumentException("give --labels (image labels [N]) and/or --masks (lesion masks)");
        var s = ReadArray(scoresPath);
        int n; int h = 0, w = 0; float[]? maps = null; double[]? imageScores = null;
        switch (s.Shape.Length)
        {
            case 1: n = checked((int)s.Shape[0]); imageScores = s.ToFloat64(); break;
            case 3: n = checked((int)s.Shape[0]); h = checked((int)s.Shape[1]); w = checked((int)s.Shape[2]); maps = Floats(s); break;
            case 4 when s.Shape[1] == 1: n = checked((int)s.Shape[0]); h = checked((int)s.Shape[2]); w = checked((int)s.Shape[3]); maps = Floats(s); break;
            default: throw new ArgumentException($"{scoresPath}: scores have shape {Shape(s)}; expected maps [N,H,W] or [N,1,H,W], or image scores [N]");
        }
        if (maps != null) MetricInputs.CheckFinite(maps, scoresPath); else MetricInputs.CheckFinite(imageScores!, scoresPath);
        return new MetricsInput
        {
            ImageCount = n, Height = h, Width = w, Maps = maps, ImageScores = imageScores,
            ImageLabels = labelsPath == null ? null : ReadLabels(labelsPath, n),
            Masks = masksPath == null ? null : ReadPixelMask(masksPath, n, h, w, maps != null),
            Foreground = foregroundPath == null ? null : ReadPixelMask(foregroundPath, n, h, w, maps != null),
            VolumeIds = volumeIdsPath == null ? null : ReadVolumeIds(volumeIdsPath, n),
        };
    }

    /// <summary>
    /// Reads an .npy array, or a NIfTI volume (.nii / .nii.gz) as its axial slices [nz, ny, nx] in the file's
    /// voxel order (x fastest) — scores and masks of the same grid line up pixel for pixel.
    /// </summary>
    public static NpyArray ReadArray(string path)
    {
        if (!path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
            return Npy.Read(path);
        var volume = Nifti.Read(path);
        if (volume.Dims.Length > 3 && volume.Dims.Skip(3).Any(d => d != 1))
            throw new ArgumentException($"{path}: a NIfTI volume with dims ({string.Join(", ", volume.Dims)}); expected a 3-D volume");
        return new NpyArray([volume.Nz, volume.Ny, volume.Nx], NpyDType.Float32, volume.Data);
    }

    static bool[] ReadLabels(string path, int n)
    {
        var a = ReadArray(path);
        if (a.Shape.Length != 1 || a.Shape[0] != n) throw new ArgumentException($"{path}: image labels have shape {Shape(a)}; expected [{n}]");
        return ToBool(a, path);
    }

    static bool[] ReadPixelMask(string path, int n, int h, int w, bool haveMaps)
    {
        if (!haveMaps) throw new ArgumentException($"{path}: pixel masks need per-pixel maps, but --scores holds image scores [N]");
        var a = ReadArray(path);
        bool ok = (a.Shape.Length == 3 && a.Shape[0] == n && a.Shape[1] == h && a.Shape[2] == w)
               || (a.Shape.Length == 4 && a.Shape[0] == n && a.Shape[1] == 1 && a.Shape[2] == h && a.Shape[3] == w);
        if (!ok) throw new ArgumentException($"{path}: mask has shape {Shape(a)}; expected [{n},{h},{w}] or [{n},1,{h},{w}] like the maps");
        return ToBool(a, path);
    }

    static int[] ReadVolumeIds(string path, int n)
    {
        var a = ReadArray(path);
        if (a.Shape.Length != 1 || a.Shape[0] != n) throw new ArgumentException($"{path}: volume ids have shape {Shape(a)}; expected [{n}]");
        var ids = a.ToFloat64();
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (ids[i] != Math.Floor(ids[i]) || Math.Abs(ids[i]) > int.MaxValue) throw new ArgumentException($"{path}: volume id {ids[i]} at index {i} is not an integer");
            result[i] = (int)ids[i];
        }
        return result;
    }

    /// <summary>float32 maps as read (no copy); other dtypes converted.</summary>
    static float[] Floats(NpyArray a) => a.Data as float[] ?? a.ToFloat32();

    static bool[] ToBool(NpyArray a, string path)
    {
        if (a.Data is bool[] b) return b;
        if (a.Data is byte[] bytes) return UInt8ToBool(bytes);
        var values = a.ToFloat32();
        var result = new bool[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) throw new ArgumentException($"{path}: NaN at flat index {i}; masks and labels must be 0/1");
            result[i] = values[i] != 0;
        }
        return result;
    }

    /// <summary>uint8 masks without a float copy: bytes that are all 0 or 1 are bools as they are (one memory copy).</summary>
    static bool[] UInt8ToBool(byte[] bytes)
    {
        var result = new bool[bytes.Length];
        if (bytes.AsSpan().IndexOfAnyExcept((byte)0, (byte)1) < 0) bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        else for (int i = 0; i < bytes.Length; i++) result[i] = bytes[i] != 0;
        return result;
    }

    static string Shape(NpyArray a) => "[" + string.Join(",", a.Shape) + "]";

    static double[]? ParseSpacing(string? s)
    {
        if (s == null) return null;
        var parts = s.Split(',');
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]) || values[i] <= 0)
                throw new ArgumentException($"--spacing must be 1 to 3 positive numbers separated by commas (e.g. 1,1,1), got '{s}'");
        if (values.Length > 3) throw new ArgumentException($"--spacing takes at most 3 values (slice,row,column), got '{s}'");
        return values;
    }

    static OneClassPolicy ParseOneClass(string s) => s.ToLowerInvariant() switch
    {
        "error" => OneClassPolicy.Throw,
        "nan" => OneClassPolicy.NaN,
        _ => throw new ArgumentException($"--one-class must be error or nan, got '{s}'"),
    };

    static BestDiceMode ParseMode(string s) => s.ToLowerInvariant() switch
    {
        "exact" => BestDiceMode.Exact,
        "medianomaly" => BestDiceMode.MedIAnomaly,
        "disyre" => BestDiceMode.Disyre,
        _ => throw new ArgumentException($"--best-dice must be exact, medianomaly or disyre, got '{s}'"),
    };
}
