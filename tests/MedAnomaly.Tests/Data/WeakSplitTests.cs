using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Training;

namespace MedAnomaly.Tests.Data;

/// <summary>Weakly labelled splits (labels from masks that training never reads) and multi-channel slices.</summary>
public sealed class WeakSplitTests : IDisposable
{
    readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    const string Manifest = """
        {"schema": "medanomaly-manifest/1", "name": "x", "title": "X", "license": "CC0", "modality": "MRI", "format": "nifti",
         "splits": [{"name": "weak", "label": "anomalous", "images": "w/*.nii.gz", "exclude": ["w/*_mask.nii.gz"],
                     "mask": {"replace": ".nii.gz", "with": "_mask.nii.gz"}, "slice_labels": "from_mask"}],
         "preprocess": [], "slicing": {"axis": 2}}
        """;

    [Fact]
    public void SliceLabelsFromMaskParseRoundTripAndAreChecked()
    {
        var split = DatasetManifest.Parse(Manifest).Splits.Single();
        Assert.True(split.LabelsOnly);
        Assert.Contains("\"slice_labels\": \"from_mask\"", DatasetManifest.Parse(Manifest).ToJson());
        Assert.Contains("splits[0].slice_labels: expected \"from_mask\"",
            Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(Manifest.Replace("\"from_mask\"", "\"yes\""))).Message);
        var noMask = Manifest.Replace("\"mask\": {\"replace\": \".nii.gz\", \"with\": \"_mask.nii.gz\"}, ", "");
        Assert.Contains("needs a mask rule", Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(noMask)).Message);
        Assert.DoesNotContain(DatasetManifest.Load(ManifestTests.RepoFile("data-manifests/phantom.json")).Splits, s => s.LabelsOnly);
        Assert.True(DatasetManifest.Load(ManifestTests.RepoFile("data-manifests/brats2021.json")).Splits.Single(s => s.Name == "weak").LabelsOnly);
    }

    /// <summary>`data phantom --weak`: the weak split loads labels (1 = the slice has a lesion voxel) and no masks, the same
    /// labels the masks give when they are loaded for evaluation; the other splits are the files of a set without it.</summary>
    [Fact]
    public void PhantomWeakSplitLoadsLabelsWithoutMasks()
    {
        string dir = Path.Combine(folder.Path, "weak"), plain = Path.Combine(folder.Path, "plain");
        var summary = PhantomSet.Write(dir, volumes: 4, size: 32, seed: 0, testFraction: 0.25, weakVolumes: 3);
        PhantomSet.Write(plain, volumes: 4, size: 32, seed: 0, testFraction: 0.25);
        Assert.Equal(3, summary.WeakWithLesions + summary.WeakHealthy);
        var manifest = DatasetManifest.Load(Path.Combine(dir, "manifest.json"));
        Assert.Equal(PhantomSet.WeakSplit, manifest.Splits.Single(s => s.Name == "weak") with { Exclude = PhantomSet.WeakSplit.Exclude });
        var plainDigests = DatasetManifest.Load(Path.Combine(plain, "manifest.json")).Sha256;
        Assert.All(plainDigests, d => Assert.Equal(d.Value, manifest.Sha256[d.Key]));
        Assert.Equal(3 * 2, manifest.Sha256.Keys.Count(k => k.StartsWith("weak/")));

        var weak = SliceDataset.Load(manifest, dir, "weak");
        var withMasks = SliceDataset.Load(manifest, dir, "weak", evaluationMasks: true);
        Assert.All(weak.Items, i => Assert.Null(i.Mask));
        Assert.Equal(withMasks.Items.Select(i => i.Mask!.Any(v => v > 0) ? 1 : 0), weak.Items.Select(i => i.Label));
        var (healthy, diseased) = weak.LabelCounts();
        Assert.True(healthy > 0 && diseased > 0, $"{healthy} healthy and {diseased} diseased slices");

        var data = ExperimentData.Load(dir);
        Assert.Same(data.Train, data.TrainingSetFor(Supervision.None));
        Assert.Equal(weak.Items.Select(i => i.Origin), data.TrainingSetFor(Supervision.ImageLabels).Items.Select(i => i.Origin));
        Assert.Contains("--weak", Assert.Throws<InvalidOperationException>(() => ExperimentData.Load(plain).TrainingSetFor(Supervision.ImageLabels)).Message);
    }

    /// <summary>Training reads labels, never masks; an unsupervised method never sees a diseased slice; a weakly supervised one
    /// needs both labels. Each is refused before a step.</summary>
    [Fact]
    public void TrainingRefusesMasksDiseasedSlicesForUnsupervisedMethodsAndOneLabelForWeakOnes()
    {
        var weak = PhantomSlices.Weak(seed: 1, volumes: 2, volumeSize: 32, sliceSize: 32);
        var healthy = PhantomSlices.Dataset(seed: 1, volumes: 1, volumeSize: 32, sliceSize: 32, withLesions: false);
        var masked = PhantomSlices.Dataset(seed: 1, volumes: 1, volumeSize: 32, sliceSize: 32, withLesions: true);
        Assert.All(weak.Items, i => Assert.Null(i.Mask));
        var options = Presets.Tiny with { Steps = 1 };
        Assert.Contains("carries a lesion mask", Assert.Throws<ArgumentException>(() => Trainer.Validate(masked, options)).Message);
        Trainer.Validate(weak, options);
        using var ae = DetectorRegistry.Create("ae", PresetName.Tiny).Detector;
        Assert.Contains("ae is unsupervised", Assert.Throws<ArgumentException>(() => ae.Fit(weak, options)).Message);
        using var gradcam = DetectorRegistry.Create("gradcam", PresetName.Tiny).Detector;
        Assert.Contains("needs healthy and diseased slices", Assert.Throws<ArgumentException>(() => gradcam.Fit(healthy, options)).Message);
    }

    /// <summary>Two channels of one subject: stacked channel-major, each preprocessed on its own volume, the foreground where
    /// either is above the threshold; loaded from a manifest with "a,b" and with "all".</summary>
    [Fact]
    public void ChannelsStackIntoMultiChannelSlices()
    {
        int n = 4;
        float[] Data(Func<int, float> f) => Enumerable.Range(0, n * n * n).Select(f).ToArray();
        var a = new Volume(Data(i => i % 16 < 4 ? 0 : i), [n, n, n]);          // background in the first row of each slice
        var b = new Volume(Data(i => i % 16 >= 12 ? 0 : 2 * i + 1), [n, n, n]); // background in the last row
        var recipe = new PreprocessRecipe([PreprocessStep.QuantileScale(0, 1, 0), PreprocessStep.ForegroundThreshold(0)]);
        var items = SliceDataset.FromVolumes([a, b], null, recipe, axis: 2, minForeground: 0, "s");
        var single = SliceDataset.FromVolume(b, null, recipe, axis: 2, minForeground: 0, "s");
        Assert.All(items, i => Assert.Equal((2, 2 * 16), (i.Channels, i.Image.Length)));
        Assert.Equal(single[1].Image, items[1].Image[16..]);                     // channel b, scaled on its own volume
        Assert.All(items, i => Assert.True(i.Foreground.All(v => v == 1)));      // a covers b's background and vice versa

        string root = Path.Combine(folder.Path, "channels");
        Directory.CreateDirectory(Path.Combine(root, "s1"));
        Nifti.Write(Path.Combine(root, "s1", "s1_a.nii.gz"), a, NiftiDataType.Float32);
        Nifti.Write(Path.Combine(root, "s1", "s1_b.nii.gz"), b, NiftiDataType.Float32);
        var manifest = DatasetManifest.Parse("""
            {"schema": "medanomaly-manifest/1", "name": "c", "title": "C", "license": "CC0", "modality": "MRI", "format": "nifti",
             "channels": ["a", "b"], "default_channel": "a",
             "splits": [{"name": "train", "label": "normal", "images": "s*/s*_{channel}.nii.gz"}],
             "preprocess": [{"op": "quantile_scale", "low": 0, "high": 1}, {"op": "foreground", "threshold": 0}], "slicing": {"axis": 2}}
            """);
        foreach (var channels in new[] { "a,b", "all" })
            Assert.Equal(items.Select(i => i.Image), SliceDataset.Load(manifest, root, "train", channels).Items.Select(i => i.Image));
        Assert.Equal(1, SliceDataset.Load(manifest, root, "train").Items[0].Channels);
        Assert.Contains("several distinct ones", Assert.Throws<ArgumentException>(() => SliceDataset.Load(manifest, root, "train", "a,a")).Message);

        var batch = new Batcher(new SliceDataset(items), 2, 0).Epoch().First();
        Assert.Equal([2L, 2, n, n], batch.Shape);
        Assert.Equal([2L, 1, n, n], batch.PlaneShape);
    }
}
