using MedAnomaly.Corruptions;
using MedAnomaly.Methods;
using MedAnomaly.Metrics;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Extending;

/// <summary>A method, a corruption and a metric from another assembly: each is one file in this folder plus one registry
/// line below, and then works like a built-in one. Serial: registering changes what registry-wide code sees.</summary>
[Collection(GlobalTorchStateCollection.Name)]
public class ExtendingTests
{
    [Fact]
    public void A_registered_method_trains_scores_saves_and_loads_by_name()
    {
        using var registration = DetectorRegistry.Register(new("toy", "one convolution reproducing the slice", ToyDetector.FromJson, ToyDetector.Preset));
        using var scope = torch.NewDisposeScope();
        var (detector, preset) = DetectorRegistry.Create("toy", PresetName.Tiny);
        using var _ = detector;
        var train = new MedAnomaly.Data.SliceDataset(Enumerable.Range(0, 8).Select(i => Slice(i)).ToList());
        Assert.Equal(preset.Training.Steps, detector.Fit(train, preset.Training).FinalStep);
        var images = torch.rand([2, 1, 16, 16], generator: new Generator(1));
        using var output = detector.Score(images);
        Assert.Equal(images.shape, output.Map.shape);
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "toy.safetensors");
        detector.Save(path);
        using var loaded = DetectorRegistry.Load(path);
        Assert.Equal(output.Map.ToArray<float>(), loaded.Score(images).Map.ToArray<float>());
        Assert.Contains("toy", DetectorRegistry.Describe());
    }

    [Fact]
    public void A_registered_corruption_is_created_by_name()
    {
        using var registration = CorruptionRegistry.Register(new("salt-noise", "brain pixels set to 1 with probability 0.05", () => new SaltNoise()));
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(2);
        var clean = torch.rand([2, 1, 32, 32], generator: new Generator(3)) * 0.5f + 0.1f;
        using var result = CorruptionRegistry.Create("salt-noise").Apply(clean, null, rng);
        Assert.True(result.Corrupted.eq(1).any().item<bool>());
        Assert.Equal(0f, ((result.Corrupted - clean) * (1 - result.Mask)).abs().max().item<float>());
        Assert.Throws<ArgumentException>(() => CorruptionRegistry.Register(new("salt-noise", "twice", () => new SaltNoise())));
    }

    [Fact]
    public void A_registered_metric_appears_in_every_report()
    {
        using var registration = MetricRegistry.Register(new PrecisionAtHalfRecallMetric());
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
        bool[] labels = [true, false, true, false, true, true];
        var report = AnomalyMetrics.Evaluate(new MetricsInput { ImageCount = 6, ImageScores = scores, ImageLabels = labels }, new MetricsOptions());
        Assert.Contains("precision_at_half_recall", report.ToJson());
        var value = report.Image!.Sweep.Values.Single(v => v.Metric.Name == "precision_at_half_recall").Value;
        Assert.Equal(2.0 / 3.0, value.Value, 12);   // TPR reaches 2/4 at 0.7, where TP = 2 and FP = 1
    }

    static MedAnomaly.Data.SliceItem Slice(int seed)
    {
        var image = torch.rand([16 * 16], generator: new Generator((ulong)seed)).data<float>().ToArray();
        return new MedAnomaly.Data.SliceItem(image, 16, 16, 0, null, Enumerable.Repeat((byte)1, 256).ToArray(), $"toy-{seed}", 2, 0, "train");
    }
}
