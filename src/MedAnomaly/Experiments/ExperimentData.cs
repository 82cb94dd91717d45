using MedAnomaly.Data;

namespace MedAnomaly.Experiments;

/// <summary>
/// The data of an experiment: the healthy training slices and the test slices (with lesion masks) of one
/// dataset, loaded through its manifest. <c>--data</c> is a folder holding <c>manifest.json</c> (as
/// <c>medanomaly data phantom --out DIR</c> writes) or a manifest file whose data lies under
/// <paramref name="root"/> (default: the manifest's folder).
/// </summary>
public sealed record ExperimentData(string Name, string Source, SliceDataset Train, SliceDataset Test)
{
    /// <param name="progress">The files read, as phases "loading train" and "loading test".</param>
    public static ExperimentData Load(string data, string? root = null, IProgress<Runtime.WorkProgress>? progress = null)
    {
        var (manifestPath, dataRoot) = Locate(data, root);
        var manifest = DatasetManifest.Load(manifestPath);
        var train = SliceDataset.Load(manifest, dataRoot, "train", progress: progress);
        var test = SliceDataset.Load(manifest, dataRoot, "test", progress: progress);
        if (train.Count == 0) throw new InvalidDataException($"{data}: the train split has no slice with enough foreground");
        if (test.Count == 0) throw new InvalidDataException($"{data}: the test split has no slice with enough foreground");
        return new ExperimentData(manifest.Name, Path.GetFullPath(manifestPath), train, test);
    }

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
