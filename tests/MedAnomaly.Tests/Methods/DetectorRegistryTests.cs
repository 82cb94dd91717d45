using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Methods;

/// <summary>Every registered detector, trained with its tiny preset on phantom slices: output contract, determinism
/// under a seed, and Save → Load. A newly registered method joins automatically. Each trains on the split its supervision
/// allows, as comparisons feed it (<see cref="ExperimentData.TrainingSetFor"/>): healthy slices, or image-labelled ones.</summary>
[Collection(GlobalTorchStateCollection.Name)]
public class DetectorRegistryTests
{
    public static TheoryData<string> Names => new(DetectorRegistry.All.Select(e => e.Name));

    static readonly Lazy<(ExperimentData Data, Tensor Test, Tensor Foreground)> Phantom32 = new(() =>
    {
        var recipe = new PreprocessRecipe([PreprocessStep.QuantileScale(0, 0.98, 0), PreprocessStep.ForegroundThreshold(0)]);
        List<SliceItem> Slices(int index, bool lesions)
        {
            var v = Phantom.Generate(Phantom.VolumeSeed(3, index), 32, lesions);
            var mask = PhantomSet.ToVolume(v, Array.ConvertAll(v.Mask, b => (float)b));
            return SliceDataset.FromVolume(PhantomSet.ToVolume(v, v.Image), mask, recipe, axis: 2, minForeground: 0.2, source: $"phantom-{index}");
        }
        var train = new SliceDataset(Slices(0, false).Concat(Slices(1, false)).ToList());
        var weak = new SliceDataset(Slices(4, true).Concat(Slices(5, false)).ToList()).WithoutMasks();   // labels from the masks, no masks
        var test = Slices(2, true).Take(4).ToList();
        var images = torch.tensor(test.SelectMany(s => s.Image).ToArray(), [test.Count, 1, 32, 32]).DetachFromDisposeScope();
        var foreground = torch.tensor(test.SelectMany(s => s.Foreground.Select(b => (float)b)).ToArray(), [test.Count, 1, 32, 32]).DetachFromDisposeScope();
        return (new ExperimentData("phantom32", "", train, new SliceDataset(test), weak), images, foreground);
    });

    [Fact]
    public void The_weak_split_has_both_labels_and_no_masks()
    {
        var weak = Phantom32.Value.Data.Weak!;
        var (healthy, diseased) = weak.LabelCounts();
        Assert.True(healthy > 0 && diseased > 0, $"{healthy} healthy, {diseased} diseased slices");
        Assert.All(weak.Items, i => Assert.Null(i.Mask));
    }

    static (IAnomalyDetector Detector, float[] Map, float[] Score) FitAndScore(string name)
    {
        var (detector, preset) = DetectorRegistry.Create(name, PresetName.Tiny);
        var (data, test, foreground) = Phantom32.Value;
        var options = preset.Training with { Steps = 4 };   // the tiny preset's 10 steps, cut to keep the suite fast
        var result = detector.Fit(data.TrainingSetFor(detector.Supervision), options);
        Assert.Equal(options.Steps, result.FinalStep);
        Assert.All(result.Losses, l => Assert.True(double.IsFinite(l.Loss)));
        var (map, score) = Read(detector, test, foreground);
        return (detector, map, score);
    }

    static (float[] Map, float[] Score) Read(IAnomalyDetector detector, Tensor test, Tensor foreground)
    {
        using var output = detector.Score(test, foreground);
        Assert.Equal(test.shape, output.Map.shape);
        Assert.Equal([test.size(0)], output.Score.shape);
        return (output.Map.cpu().data<float>().ToArray(), output.Score.cpu().data<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Tiny_fit_scores_phantom_slices(string name)
    {
        var (detector, map, score) = FitAndScore(name);
        using var _ = detector;
        Assert.Equal(name, detector.Name);
        Assert.All(map, v => Assert.True(float.IsFinite(v) && v >= 0, $"{name}: map value {v}"));
        Assert.All(score, v => Assert.True(float.IsFinite(v), $"{name}: score {v}"));
        Assert.True(map.Max() > 0, $"{name}: the map is all zeros");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_gives_identical_scores_and_save_load_round_trips(string name)
    {
        var (a, mapA, scoreA) = FitAndScore(name);
        var (b, mapB, scoreB) = FitAndScore(name);
        using (a) using (b)
        {
            Assert.Equal(scoreA, scoreB);
            Assert.Equal(mapA, mapB);
            using var folder = new TemporaryFolder();
            var path = Path.Combine(folder.Path, $"{name}.safetensors");
            a.Save(path);
            using var loaded = DetectorRegistry.Load(path);
            Assert.Equal(name, loaded.Name);
            Assert.Equal(a.ConfigJson, loaded.ConfigJson);
            var (test, foreground) = (Phantom32.Value.Test, Phantom32.Value.Foreground);
            var (mapL, scoreL) = Read(loaded, test, foreground);
            Assert.Equal(scoreA, scoreL);
            Assert.Equal(mapA, mapL);
        }
    }

    [Fact]
    public void Registry_lists_each_method_once_with_help_and_presets()
    {
        var names = DetectorRegistry.All.Select(e => e.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains("ae", names);
        Assert.Contains("vae", names);
        Assert.Contains("dae", names);
        Assert.Contains("ddpm", names);
        Assert.Contains("disyre", names);
        Assert.Contains("wolleb", names);
        Assert.Contains("gradcam", names);
        foreach (var e in DetectorRegistry.All)
        {
            Assert.Contains(e.Name, DetectorRegistry.Describe());
            foreach (var p in Enum.GetValues<PresetName>())
            {
                using var d = e.Create(e.Preset(p).ConfigJson);   // every preset's config parses
                Assert.Equal(e.Name, d.Name);
            }
        }
        Assert.Contains("unknown detector 'nope'", Assert.Throws<ArgumentException>(() => DetectorRegistry.Create("nope")).Message);
    }

    /// <summary>Presets are budgets, not image sizes: any preset's detector trains on and scores slices of a size its network
    /// was not built for (padded for the UNets, resized for the autoencoders' fixed input, windows for DISYRE).</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Any_preset_takes_slices_of_any_size(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (detector, _) = DetectorRegistry.Create(name, PresetName.Tiny);
        using var _ = detector;
        var images = torch.rand([2, 1, 44, 70], generator: new Generator(4)) * 0.8f + 0.1f;
        var objective = Assert.IsAssignableFrom<MedAnomaly.Training.ITrainingObjective>(detector);
        Assert.True(float.IsFinite(objective.Loss(images, images.gt(0).to(ScalarType.Float32), torch.tensor(new long[] { 0, 1 }), new Generator(1)).item<float>()));
        using var output = detector.Score(images);
        Assert.Equal(images.shape, output.Map.shape);
        if (output.Reconstruction is not null) Assert.Equal(images.shape, output.Reconstruction.shape);   // Grad-CAM has none
        Assert.True(output.Map.isfinite().all().item<bool>());
    }

    /// <summary>Multi-channel slices (BraTS's four modalities) through every network: each preset with its image channels
    /// set to 2 (<see cref="DetectorJson.WithImageChannels"/>, as --channels sets them) trains a step's loss and scores [N,2,H,W] slices into a
    /// map [N,1,H,W] summed over channels, and a reconstruction of both channels.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Any_detector_takes_multi_channel_slices(string name)
    {
        using var scope = torch.NewDisposeScope();
        var entry = DetectorRegistry.Get(name);
        using var detector = entry.Create(DetectorJson.WithImageChannels(entry.Preset(PresetName.Tiny).ConfigJson, 2));
        var images = torch.rand([2, 2, 32, 32], generator: new Generator(5)) * 0.8f + 0.1f;
        var foreground = torch.ones([2, 1, 32, 32]);
        var objective = Assert.IsAssignableFrom<MedAnomaly.Training.ITrainingObjective>(detector);
        Assert.True(float.IsFinite(objective.Loss(images, foreground, torch.tensor(new long[] { 0, 1 }), new Generator(1)).item<float>()));
        using var output = detector.Score(images, foreground);
        Assert.Equal([2L, 1, 32, 32], output.Map.shape);
        if (output.Reconstruction is not null) Assert.Equal(images.shape, output.Reconstruction.shape);
        Assert.True(output.Map.isfinite().all().item<bool>());
        var oneChannel = torch.rand([2, 1, 32, 32]);
        Assert.Contains("[N,2,H,W]", Assert.Throws<ArgumentException>(() => detector.Score(oneChannel)).Message);
    }

}
