using System.Collections.Concurrent;
using MedAnomaly.Randomness;
using MedAnomaly.Runtime;

namespace MedAnomaly.Data;

/// <summary>What <see cref="PhantomSet.Write"/> produced.</summary>
public sealed record PhantomSetSummary(string Directory, int Train, int TestWithLesions, int TestHealthy, string ManifestPath, DatasetManifest Manifest,
                                       int WeakWithLesions = 0, int WeakHealthy = 0);

/// <summary>
/// Writes a phantom data set: DIR/train/phantom_NNNN.nii.gz (healthy), DIR/test/phantom_NNNN.nii.gz with
/// DIR/test/phantom_NNNN_mask.nii.gz (most with lesions, about 15% healthy), and DIR/manifest.json (the
/// phantom manifest with a sha256 for every file). Volume i is generated from seed f(seed, i), so the files
/// do not depend on thread scheduling. With weak volumes, DIR/weak/ holds a weakly labelled training split: volumes
/// numbered after the others, with lesions as often as test volumes, their masks beside them; the manifest's "weak"
/// split loads each slice's label from its mask and not the mask (<see cref="ManifestSplit.LabelsOnly"/>).
/// </summary>
public static class PhantomSet
{
    /// <summary>Probability that a test volume has no lesion.</summary>
    public const double HealthyTestFraction = 0.15;

    /// <param name="weakVolumes">Volumes of the weakly labelled split (0: none, and the manifest has no "weak" split).</param>
    /// <param name="progress">Volumes written, as phase "writing volumes".</param>
    public static PhantomSetSummary Write(string dir, int volumes, int size, ulong seed, double testFraction = 0.3,
                                          int maxParallelism = -1, PhantomOptions? options = null, int weakVolumes = 0,
                                          IProgress<WorkProgress>? progress = null)
    {
        int nTest = CheckSplit(volumes, testFraction);
        if (weakVolumes < 0) throw new ArgumentException($"--weak must be 0 or more volumes, got {weakVolumes}");
        Phantom.CheckSize(size);
        var folders = weakVolumes > 0 ? new[] { dir, Path.Combine(dir, "train"), Path.Combine(dir, "test"), Path.Combine(dir, "weak") }
            : new[] { dir, Path.Combine(dir, "train"), Path.Combine(dir, "test") };
        var created = folders.Where(d => !Directory.Exists(d)).ToList();
        var digests = new ConcurrentDictionary<string, string>();
        try { return Write(dir, volumes, nTest, weakVolumes, size, seed, maxParallelism, options, digests, progress); }
        catch
        {
            // Nothing half-written stays behind: the volumes written so far, then the folders this call created.
            foreach (var relative in digests.Keys) File.Delete(Path.Combine(dir, relative));
            foreach (var folder in Enumerable.Reverse(created))
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            throw;
        }
    }

    /// <summary>The number of test volumes; at least one volume must be left for each split.</summary>
    static int CheckSplit(int volumes, double testFraction)
    {
        if (!(testFraction >= 0 && testFraction <= 1)) throw new ArgumentException($"--test-fraction must be in [0, 1], got {testFraction}");
        int nTest = (int)Math.Round(Math.Max(volumes, 0) * testFraction);
        if (volumes < 2 || nTest < 1 || nTest > volumes - 1)
            throw new ArgumentException($"--volumes {volumes} with --test-fraction {testFraction} gives {Math.Max(volumes, 0) - nTest} training and {nTest} test " +
                                        "volume(s); expected at least one of each (e.g. --volumes 4 --test-fraction 0.3)");
        return nTest;
    }

    static PhantomSetSummary Write(string dir, int volumes, int nTest, int nWeak, int size, ulong seed, int maxParallelism, PhantomOptions? options,
                                   ConcurrentDictionary<string, string> digests, IProgress<WorkProgress>? progress)
    {
        var written = WorkProgress.Start(progress, "writing volumes", volumes, "volumes");
        Directory.CreateDirectory(Path.Combine(dir, "train"));
        Directory.CreateDirectory(Path.Combine(dir, "test"));
        if (nWeak > 0) Directory.CreateDirectory(Path.Combine(dir, "weak"));
        int healthyTest = 0, healthyWeak = 0;
        ParallelLoop.For(0, volumes + nWeak, i =>
        {
            string split = i >= volumes ? "weak" : i >= volumes - nTest ? "test" : "train";
            bool masked = split != "train";
            bool lesions = masked && HasLesions(seed, i);
            if (masked && !lesions && split == "test") Interlocked.Increment(ref healthyTest);
            if (masked && !lesions && split == "weak") Interlocked.Increment(ref healthyWeak);
            var v = Phantom.Generate(Phantom.VolumeSeed(seed, i), size, lesions, options);
            string stem = $"{split}/phantom_{i:D4}";
            Save(dir, stem + ".nii.gz", ToVolume(v, v.Image), NiftiDataType.Float32, digests);
            if (masked) Save(dir, stem + "_mask.nii.gz", ToVolume(v, Array.ConvertAll(v.Mask, b => (float)b)), NiftiDataType.UInt8, digests);
            written.Add();
        }, maxParallelism);
        var manifest = Manifest(size, weak: nWeak > 0) with { Sha256 = new SortedDictionary<string, string>(digests, StringComparer.Ordinal) };
        string manifestPath = Path.Combine(dir, "manifest.json");
        string tmp = manifestPath + ".tmp";
        File.WriteAllText(tmp, manifest.ToJson() + "\n");
        File.Move(tmp, manifestPath, true);
        return new PhantomSetSummary(dir, volumes - nTest, nTest - healthyTest, healthyTest, manifestPath, manifest, nWeak - healthyWeak, healthyWeak);
    }

    /// <summary>Whether test or weak volume <paramref name="index"/> of a set with master seed <paramref name="seed"/> gets lesions
    /// (probability 1 − <see cref="HealthyTestFraction"/>, drawn from the volume's own seed).</summary>
    public static bool HasLesions(ulong seed, int index) =>
        !new SeededRandom(SeededRandom.Derive(Phantom.VolumeSeed(seed, index), 1)).Chance(HealthyTestFraction);

    /// <summary>The phantom manifest (as data-manifests/phantom.json), without digests; with <paramref name="weak"/>, its
    /// weakly labelled split too.</summary>
    public static DatasetManifest Manifest(int size = 128, bool weak = false) => new(
        Name: "phantom",
        Title: "MedAnomaly synthetic T2-like brain MRI phantom",
        Homepage: null,
        License: "CC0-1.0 (synthetic data generated by MedAnomaly; no human subjects)",
        Citation: null,
        Modality: "MRI (T2-like, synthetic)",
        Format: "nifti",
        Channels: Array.Empty<string>(),
        DefaultChannel: null,
        Splits: new[]
        {
            new ManifestSplit("train", "normal", "train/*.nii.gz", Array.Empty<string>(), null, null),
            new ManifestSplit("test", "anomalous", "test/*.nii.gz", new[] { "test/*_mask.nii.gz" }, new MaskRule(".nii.gz", "_mask.nii.gz"), null),
        }.Concat(weak ? [WeakSplit] : []).ToArray(),
        Preprocess: PreprocessRecipe.Disyre(size),
        SliceAxis: 2,
        MinForeground: 0.05,
        Sha256: new Dictionary<string, string>(),
        Notes: $"Generated by `medanomaly data phantom --size {size}`: {size}³ volumes, {200.0 / size:0.###} mm voxels, x = left→right, y = posterior→anterior, z = inferior→superior. Test volumes carry tumour-like and stroke-like lesions; their masks are exact.");

    /// <summary>The weakly labelled split: per-slice labels from the masks, which training never sees.</summary>
    public static ManifestSplit WeakSplit { get; } =
        new("weak", "anomalous", "weak/*.nii.gz", ["weak/*_mask.nii.gz"], new MaskRule(".nii.gz", "_mask.nii.gz"), null, LabelsOnly: true);

    /// <summary>A NIfTI volume for the phantom's grid: isotropic voxels, RAS axes, centred at the origin.</summary>
    public static Volume ToVolume(PhantomVolume v, float[] data)
    {
        double vs = v.VoxelSizeMm, o = -(v.Size / 2.0 - 0.5) * vs;
        var affine = new double[,] { { vs, 0, 0, o }, { 0, vs, 0, o }, { 0, 0, vs, o }, { 0, 0, 0, 1 } };
        return new Volume(data, new[] { v.Size, v.Size, v.Size }, new[] { vs, vs, vs }, affine);
    }

    private static void Save(string dir, string relative, Volume volume, NiftiDataType type, ConcurrentDictionary<string, string> digests)
    {
        string path = Path.Combine(dir, relative);
        Nifti.Write(path, volume, type);
        digests[relative] = ManifestCheck.Sha256Of(path);
    }
}
