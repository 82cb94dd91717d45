using MedAnomaly.Data;
using MedAnomaly.Methods;

namespace MedAnomaly.Experiments;

/// <summary>
/// The data of an experiment, loaded through its manifest: the healthy training slices, the test slices (with lesion
/// masks) and, when the manifest has a "weak" split, the weakly labelled training slices (labels, no masks).
/// <c>--data</c> is a folder holding <c>manifest.json</c> (as <c>medanomaly data phantom --out DIR</c> writes) or a
/// manifest file whose data lies under <paramref name="root"/> (default: the manifest's folder). Each detector trains on
/// the split its <see cref="Supervision"/> allows (<see cref="TrainingSetFor"/>).
/// </summary>
public sealed record ExperimentData(string Name, string Source, SliceDataset Train, SliceDataset Test, SliceDataset? Weak = null)
{
    /// <summary>The split name of weakly labelled training slices.</summary>
    public const string WeakSplit = "weak";

    /// <param name="channel">The manifest's channel(s): one, several joined by ',', or "all" (<see cref="SliceDataset.Load"/>).</param>
    /// <param name="testSplit">The split scored and evaluated (e.g. BraTS's "weak-test", disjoint from its "weak" subjects).</param>
    /// <param name="progress">The files read, as phases "loading SPLIT".</param>
    public static ExperimentData Load(string data, string? root = null, string? channel = null, string testSplit = "test",
                                      IProgress<Runtime.WorkProgress>? progress = null)
    {
        var (manifestPath, dataRoot) = Locate(data, root);
        var manifest = DatasetManifest.Load(manifestPath);
        bool Has(string split) => manifest.Splits.Any(s => s.Name == split);
        var weak = Has(WeakSplit) ? SliceDataset.Load(manifest, dataRoot, WeakSplit, channel, progress: progress) : null;
        var train = Has("train") ? SliceDataset.Load(manifest, dataRoot, "train", channel, progress: progress)
            : weak is not null ? new SliceDataset(weak.Items.Where(i => i.Label == 0).ToList())   // no healthy split: the weak split's healthy slices
            : SliceDataset.Load(manifest, dataRoot, "train", channel, progress: progress);        // names the splits there are
        var test = SliceDataset.Load(manifest, dataRoot, testSplit, channel, progress: progress);
        if (train.Count == 0) throw new InvalidDataException($"{data}: the train split has no slice with enough foreground");
        if (test.Count == 0) throw new InvalidDataException($"{data}: the {testSplit} split has no slice with enough foreground");
        if (weak is { Count: 0 }) throw new InvalidDataException($"{data}: the {WeakSplit} split has no slice with enough foreground");
        return new ExperimentData(manifest.Name, Path.GetFullPath(manifestPath), train, test, weak);
    }

    /// <summary>The slices a detector of this supervision trains on: <see cref="Train"/> (healthy only) for an unsupervised
    /// one, <see cref="Weak"/> (image labels, no masks) for a weakly supervised one.</summary>
    /// <exception cref="InvalidOperationException">A weakly supervised detector and no weak split.</exception>
    public SliceDataset TrainingSetFor(Supervision supervision) => supervision switch
    {
        Supervision.None => Train,
        Supervision.ImageLabels => Weak ?? throw new InvalidOperationException(
            $"{Name}: a weakly supervised method trains on the \"{WeakSplit}\" split of image-labelled slices, and this data set has none " +
            "(make one with `medanomaly data phantom --weak N`, or declare one with \"slice_labels\": \"from_mask\" in the manifest)"),
        _ => throw new ArgumentOutOfRangeException(nameof(supervision), supervision, "unknown supervision"),
    };

    /// <summary>The split name of <see cref="TrainingSetFor"/>.</summary>
    public static string TrainingSplitName(Supervision supervision) => supervision == Supervision.ImageLabels ? WeakSplit : "train";

    /// <summary>The image channels that <paramref name="channel"/> names in the data set's manifest (1 when none is named),
    /// read from the manifest alone, so a method can be configured before any slice is loaded.</summary>
    public static int ChannelCount(string data, string? root, string? channel) =>
        channel is null ? 1 : SliceDataset.ChannelsOf(DatasetManifest.Load(Locate(data, root).Manifest), channel).Count;

    static (string Manifest, string Root) Locate(string data, string? root)
    {
        if (Directory.Exists(data))
        {
            var manifest = Path.Combine(data, "manifest.json");
            if (!File.Exists(manifest))
                throw new FileNotFoundException($"--data {data}: the folder has no manifest.json (make one with `medanomaly data phantom --out {data}`)");
            return (manifest, root ?? data);
        }
        if (File.Exists(data)) return (data, root ?? Path.GetDirectoryName(Path.GetFullPath(data))!);
        throw new FileNotFoundException($"--data {data}: no such folder or manifest file (make the phantom with `medanomaly data phantom --out DIR`)");
    }

    /// <summary>A volume id per test slice (<see cref="SliceDataset.VolumeIds"/>), for per-volume metrics.</summary>
    public int[] TestVolumeIds() => Test.VolumeIds();
}
