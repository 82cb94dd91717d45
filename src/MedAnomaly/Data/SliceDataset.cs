using MedAnomaly.Runtime;
namespace MedAnomaly.Data;

/// <summary>
/// One 2D training/test item and where it came from.
/// </summary>
/// <param name="Image">[Channels·Height·Width] row-major, channel-major, preprocessed (values in [0, 1] with a quantile_scale step).</param>
/// <param name="Label">Image-level label: 1 when the mask has a lesion pixel (or, without a mask, when the split is "anomalous").</param>
/// <param name="Mask">Lesion mask {0, 1} [Height·Width], or null when the split has no masks or loads labels only
/// (<see cref="SliceLabels.FromMask"/>).</param>
/// <param name="Foreground">Foreground mask {0, 1} [Height·Width] (some channel &gt; the recipe's foreground threshold, before resizing).</param>
/// <param name="Source">File the slice came from (relative to the dataset root when loaded from a manifest).</param>
/// <param name="Axis">Slice axis of the volume (0 = x, 1 = y, 2 = z), or -1 for a 2D image.</param>
/// <param name="Index">Slice index along <paramref name="Axis"/> (0 for a 2D image).</param>
/// <param name="Channels">Image channels (e.g. BraTS's four modalities), stacked in <paramref name="Image"/>.</param>
public sealed record SliceItem(float[] Image, int Height, int Width, int Label, byte[]? Mask, byte[] Foreground,
                               string Source, int Axis, int Index, string Split, int Channels = 1)
{
    /// <summary>"file[axis=2, slice=64]": enough to find the slice again.</summary>
    public string Origin => Axis < 0 ? Source : $"{Source}[axis={Axis}, slice={Index}]";

    /// <summary>Lesion pixels inside the brain (mask and foreground both set), the pixels the metrics count as positives.</summary>
    public int LesionPixels
    {
        get
        {
            if (Mask is null) return 0;
            int count = 0;
            for (int i = 0; i < Mask.Length; i++) if (Mask[i] > 0 && Foreground[i] > 0) count++;
            return count;
        }
    }
}

/// <summary>
/// Volumes → 2D slices: applies a <see cref="PreprocessRecipe"/> (intensity steps on the whole volume, then
/// resize/crop per slice), keeps slices whose foreground fraction reaches a threshold, and records each
/// slice's origin. Datasets hold their items in memory (128×128 slices: ~100 kB each with masks).
/// </summary>
public sealed class SliceDataset
{
    public IReadOnlyList<SliceItem> Items { get; }
    public int Count => Items.Count;
    public SliceItem this[int i] => Items[i];

    public SliceDataset(IReadOnlyList<SliceItem> items) => Items = items;

    /// <summary>A volume id per slice, for per-volume metrics: slices of the same source file share one, numbered in order of
    /// first appearance.</summary>
    public int[] VolumeIds() => VolumeIdsOf(Items);

    /// <summary>The slices without lesion and those whose lesion covers at least <paramref name="minLesionPixels"/> brain pixels
    /// (<see cref="SliceItem.LesionPixels"/>): a slice through the rim of a lesion, a few pixels of partial volume, is neither a
    /// healthy slice nor a lesion one could see.</summary>
    public SliceDataset WithVisibleLesions(int minLesionPixels)
    {
        if (minLesionPixels < 1) throw new ArgumentOutOfRangeException(nameof(minLesionPixels), minLesionPixels, "the smallest visible lesion must be at least 1 pixel");
        return new SliceDataset(Items.Where(s => (s.Label == 0 && s.LesionPixels == 0) || s.LesionPixels >= minLesionPixels).ToList());
    }

    /// <summary>Up to <paramref name="count"/> slices with the largest lesions inside the brain, largest first: the largest of
    /// each volume first (so that one lesion does not fill the figure), then the next largest. Slices without lesion are never picked.</summary>
    public SliceDataset LargestLesions(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "pick at least one slice");
        var lesioned = Items.Where(s => s.LesionPixels > 0).OrderByDescending(s => s.LesionPixels).ToList();
        var perVolume = lesioned.GroupBy(s => s.Source).Select(g => g.First()).ToHashSet(ReferenceEqualityComparer.Instance);
        var picks = lesioned.Where(perVolume.Contains).Concat(lesioned.Where(s => !perVolume.Contains(s))).Take(count);
        return new SliceDataset(picks.OrderByDescending(s => s.LesionPixels).ToList());
    }

    /// <summary><see cref="VolumeIds"/> of any list of slices.</summary>
    public static int[] VolumeIdsOf(IEnumerable<SliceItem> slices)
    {
        var ids = new Dictionary<string, int>();
        return slices.Select(s => ids.TryGetValue(s.Source, out int id) ? id : ids[s.Source] = ids.Count).ToArray();
    }

    /// <summary>Slices of one volume. <paramref name="mask"/> (same dims) gives per-slice labels; otherwise every
    /// slice gets <paramref name="splitLabel"/>. Slices with foreground fraction &lt; <paramref name="minForeground"/> are dropped.</summary>
    public static List<SliceItem> FromVolume(Volume image, Volume? mask, PreprocessRecipe recipe, int axis, double minForeground,
                                             string source, string split = "", int splitLabel = 0) =>
        FromVolumes([image], mask, recipe, axis, minForeground, source, split, splitLabel);

    /// <summary>Slices of one subject imaged in several channels (e.g. BraTS's FLAIR, T1, T1ce, T2), stacked in that order:
    /// the intensity steps run on each channel's volume separately, the foreground is where any channel exceeds the
    /// recipe's threshold. Otherwise as <see cref="FromVolume"/>.</summary>
    public static List<SliceItem> FromVolumes(IReadOnlyList<Volume> channels, Volume? mask, PreprocessRecipe recipe, int axis, double minForeground,
                                              string source, string split = "", int splitLabel = 0)
    {
        if (axis is < 0 or > 2) throw new ArgumentException($"slice axis must be 0, 1 or 2, got {axis}");
        if (channels.Count == 0) throw new ArgumentException($"{source}: no channel volume given", nameof(channels));
        var image = channels[0];
        if (image.Nt != 1) throw new InvalidDataException($"{source}: expected a 3D volume, got dims ({string.Join(", ", image.Dims)})");
        foreach (var other in channels.Skip(1).Append(mask))
            if (other is not null && !other.Dims.SequenceEqual(image.Dims))
                throw new InvalidDataException($"{source}: {(ReferenceEquals(other, mask) ? "mask" : "channel")} dims ({string.Join(", ", other.Dims)}) differ from image dims ({string.Join(", ", image.Dims)})");
        var processed = channels.Select(c =>
        {
            var data = (float[])c.Data.Clone();
            recipe.ApplyToVolume(data);
            return new Volume(data, c.Dims, c.VoxelSize, c.Affine);
        }).ToList();
        double threshold = recipe.ForegroundThreshold;
        int n = axis switch { 0 => image.Nx, 1 => image.Ny, _ => image.Nz };
        var (h, w) = image.SliceShape(axis);
        var items = new List<SliceItem>();
        for (int index = 0; index < n; index++)
        {
            var slices = processed.Select(v => SliceOf(v, axis, index)).ToList();
            var fg = AnyChannelForeground(slices, threshold);
            if (Fraction(fg) < minForeground) continue;
            float[]? m = mask is null ? null : SliceOf(mask, axis, index);
            items.Add(Make(slices, m, fg, h, w, recipe, source, axis, index, split, splitLabel));
        }
        return items;
    }

    static double Fraction(float[] mask) => mask.Length == 0 ? 0 : (double)mask.Count(v => v > 0) / mask.Length;

    /// <summary>1 where some channel exceeds the threshold (<see cref="Foreground.Mask"/> of each), as floats.</summary>
    static float[] AnyChannelForeground(IReadOnlyList<float[]> slices, double threshold)
    {
        var fg = new float[slices[0].Length];
        foreach (var slice in slices)
        {
            var mask = Foreground.Mask(slice, threshold);
            for (int i = 0; i < fg.Length; i++) if (mask[i] != 0) fg[i] = 1;
        }
        return fg;
    }

    /// <summary>Volume.Slice, with a contiguous copy for axial slices (axis 2: x fastest, then y).</summary>
    private static float[] SliceOf(Volume v, int axis, int index)
    {
        if (axis != 2) return v.Slice(axis, index);
        int plane = v.Nx * v.Ny;
        return v.Data.AsSpan(index * plane, plane).ToArray();
    }

    /// <summary>One 2D image (e.g. a PNG of a slice pack) as an item: intensity steps on the image, then resize/crop.</summary>
    public static SliceItem FromImage(float[] image, int h, int w, float[]? mask, PreprocessRecipe recipe, string source, string split = "", int splitLabel = 0)
    {
        if (image.Length != h * w) throw new ArgumentException($"{source}: image has {image.Length} values, expected {h}x{w}");
        var data = (float[])image.Clone();
        recipe.ApplyToVolume(data);
        var fg = Array.ConvertAll(Foreground.Mask(data, recipe.ForegroundThreshold), b => (float)b);
        return Make([data], mask, fg, h, w, recipe, source, -1, 0, split, splitLabel);
    }

    private static SliceItem Make(IReadOnlyList<float[]> channels, float[]? mask, float[] fg, int h, int w, PreprocessRecipe recipe,
                                  string source, int axis, int index, string split, int splitLabel)
    {
        var resized = channels.Select(c => recipe.ApplyToSlice(c, h, w)).ToList();
        var (oh, ow) = (resized[0].h, resized[0].w);
        var img = resized.Count == 1 ? resized[0].slice : resized.SelectMany(r => r.slice).ToArray();
        byte[]? maskOut = null;
        int label = splitLabel;
        if (mask is not null)
        {
            var (mr, _, _) = recipe.ApplyToSlice(mask, h, w, isMask: true);
            maskOut = Array.ConvertAll(mr, v => v > 0 ? (byte)1 : (byte)0);
            label = mask.Any(v => v > 0) ? 1 : 0;   // label from the full-resolution mask
        }
        var (fr, _, _) = recipe.ApplyToSlice(fg, h, w, isMask: true);
        return new SliceItem(img, oh, ow, label, maskOut, Array.ConvertAll(fr, v => v > 0 ? (byte)1 : (byte)0), source, axis, index, split, channels.Count);
    }

    /// <summary>The same slices with their labels and without their lesion masks: what a weakly supervised method may
    /// train on (<see cref="SliceLabels.FromMask"/>).</summary>
    public SliceDataset WithoutMasks() => new(Items.Select(i => i.Mask is null ? i : i with { Mask = null }).ToList());

    /// <summary>How many slices carry each label: (healthy, diseased).</summary>
    public (int Healthy, int Diseased) LabelCounts() => (Items.Count(i => i.Label == 0), Items.Count(i => i.Label != 0));

    /// <summary>
    /// Loads one split of a manifest from <paramref name="root"/>: every volume (nifti) or image (png) it lists,
    /// with its mask, preprocessed with the manifest's recipe and sliced along its axis. <paramref name="maxFiles"/>
    /// limits the number of files (first ones in sorted order). A weakly labelled split (<see cref="ManifestSplit.LabelsOnly"/>)
    /// loads each slice's label from its mask and not the mask itself, unless <paramref name="evaluationMasks"/> asks for
    /// them (to evaluate maps on that split; never to train). <paramref name="progress"/> gets the files read, as phase
    /// "loading SPLIT".
    /// </summary>
    /// <param name="channel">A channel of the manifest (default: its default channel), several joined by ',' or "all"
    /// (every channel, in the manifest's order) for multi-channel slices (volumes only).</param>
    public static SliceDataset Load(DatasetManifest manifest, string root, string split, string? channel = null, int? maxFiles = null,
                                    bool evaluationMasks = false, IProgress<WorkProgress>? progress = null)
    {
        var s = manifest.Splits.FirstOrDefault(x => x.Name == split)
                ?? throw new ArgumentException($"manifest {manifest.Name} has no split \"{split}\"; expected one of {string.Join(", ", manifest.Splits.Select(x => x.Name))}");
        var channels = ChannelsOf(manifest, channel);
        var perChannel = channels.Select(c => ManifestPaths.Resolve(manifest, s, root, c)).ToList();
        var files = perChannel[0];
        if (files.Count == 0) throw new InvalidDataException($"split {split} of {manifest.Name}: no files under {root}");
        for (int c = 1; c < channels.Count; c++)
            if (perChannel[c].Count != files.Count)
                throw new InvalidDataException($"split {split} of {manifest.Name}: {perChannel[c].Count} files of channel {channels[c]} but {files.Count} of channel {channels[0]} under {root}");
        if (maxFiles is int k) files = files.Take(k).ToList();
        int splitLabel = s.Label == "anomalous" ? 1 : 0;
        var perFile = new List<SliceItem>[files.Count];
        var loaded = WorkProgress.Start(progress, $"loading {split}", files.Count, "files");
        ParallelLoop.For(0, files.Count, i =>   // a bad file's own typed error, not an AggregateException
        {
            var f = files[i];
            perFile[i] = manifest.Format switch
            {
                "nifti" => FromVolumes(perChannel.Select(p => ReadVolume(root, p[i].Image)).ToList(), f.Mask is null ? null : ReadVolume(root, f.Mask),
                                       manifest.Preprocess, manifest.SliceAxis ?? 2, manifest.MinForeground, f.Image, split, splitLabel),
                _ => new List<SliceItem> { LoadImage(manifest, root, f, split, splitLabel) },
            };
            loaded.Add();
        });
        var data = new SliceDataset(perFile.SelectMany(x => x).ToList());
        return s.LabelsOnly && !evaluationMasks ? data.WithoutMasks() : data;
    }

    /// <summary>The channels <paramref name="channel"/> names: [null] when none is named (the default channel, if any);
    /// "all" = every channel of the manifest ([null] for a manifest without channels); several joined by ','.</summary>
    /// <exception cref="ArgumentException">Several channels that the manifest cannot give.</exception>
    public static IReadOnlyList<string?> ChannelsOf(DatasetManifest manifest, string? channel)
    {
        if (channel is null) return [null];
        if (channel == "all") return manifest.Channels.Count == 0 ? [null] : [.. manifest.Channels];
        var names = channel.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 1) return [names[0]];
        if (names.Length == 0 || manifest.Channels.Count == 0 || manifest.Format != "nifti" || names.Distinct().Count() != names.Length)
            throw new ArgumentException($"channel \"{channel}\": expected one channel of {manifest.Name}, several distinct ones of a volume data set joined by ',', or all; " +
                                        $"its channels: [{string.Join(", ", manifest.Channels)}]");
        return names;
    }

    /// <summary>Reader for 2D images (PNG): path → (grey values in [0, 1], height, width).</summary>
    private static (float[] data, int h, int w) ReadImage(string path)
    {
        var g = Png.Read(path);
        return (g.Pixels, g.Height, g.Width);
    }

    private static SliceItem LoadImage(DatasetManifest manifest, string root, ManifestFile f, string split, int splitLabel)
    {
        Func<string, (float[] data, int h, int w)> reader = manifest.Format == "png" ? ReadImage
            : throw new NotSupportedException($"no 2D reader for format \"{manifest.Format}\"");
        var (img, h, w) = Wrap(f.Image, () => reader(ManifestPaths.Full(root, f.Image)));
        float[]? mask = null;
        if (f.Mask is not null)
        {
            var (m, mh, mw) = Wrap(f.Mask, () => reader(ManifestPaths.Full(root, f.Mask)));
            if (mh != h || mw != w) throw new InvalidDataException($"{f.Mask}: mask is {mh}x{mw}, its image {f.Image} is {h}x{w}");
            mask = m;
        }
        return FromImage(img, h, w, mask, manifest.Preprocess, f.Image, split, splitLabel);
    }

    private static Volume ReadVolume(string root, string relative) => Wrap(relative, () => Nifti.Read(ManifestPaths.Full(root, relative)));

    private static T Wrap<T>(string relative, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is IOException or InvalidDataException && !e.Message.Contains(relative))
        {
            throw new InvalidDataException($"{relative}: {e.Message}", e);
        }
    }
}
