using System.Text.Json;
using MedAnomaly.Data;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// What the reconstruction-based detectors share: a config record, one network built from it (rebuilt under
/// <c>torch.manual_seed(options.Seed)</c> at each <see cref="Fit"/>, so a fit is reproducible), training through the shared
/// <see cref="Trainer"/>, scoring in eval mode without gradients, saving through <see cref="DetectorCheckpoint"/>.
/// A subclass supplies the network, the loss of one batch and the map of a batch.
/// </summary>
public abstract class ReconstructionDetector<TConfig, TNetwork> : IAnomalyDetector, ITrainingObjective, ILoadableDetector
    where TConfig : class where TNetwork : nn.Module
{
    TNetwork network;

    protected ReconstructionDetector(TConfig config)
    {
        Config = config;
        network = CreateNetwork(config);
    }

    public abstract string Name { get; }
    public TConfig Config { get; }
    public string ConfigJson => JsonSerializer.Serialize(Config);

    /// <summary>The trained network (float32; on the device of the last fit).</summary>
    public TNetwork Model => network;
    nn.Module ITrainingObjective.Network => network;

    protected abstract TNetwork CreateNetwork(TConfig config);
    public abstract Tensor Loss(Tensor images, Tensor foreground, Generator rng);

    /// <summary>The anomaly map [N,1,H,W] ≥ 0, the image score [N] and the reconstruction, of a batch (network in eval mode,
    /// no gradients).</summary>
    protected abstract AnomalyOutput ScoreBatch(Tensor images, Tensor foreground);

    public TrainingResult Fit(SliceDataset healthy, TrainingOptions options, IProgress<TrainingProgress>? progress = null,
        CancellationToken ct = default)
    {
        network = FreshNetwork.ForFit(network, options, () => CreateNetwork(Config));
        return Trainer.Run(this, healthy, options, progress, ct);
    }

    /// <remarks>Through <see cref="NetworkScoring.InEvalMode"/>: eval mode, the network's device, no garbage collection
    /// during the call.</remarks>
    public AnomalyOutput Score(Tensor images, Tensor? foreground = null)
    {
        DetectorCheckpoint.CheckImages(Name, images);
        return NetworkScoring.InEvalMode(network, images, foreground, (input, fg) =>
        {
            using var noGrad = torch.no_grad();
            var x = input.to(ScalarType.Float32);
            return ScoreBatch(x, DetectorCheckpoint.ForegroundOf(x, fg));
        });
    }

    public void Save(string path) => DetectorCheckpoint.Save(path, this, network);

    /// <summary>Loads weights written by <see cref="Save"/> into this detector's network.</summary>
    public void LoadWeights(string path) => DetectorCheckpoint.LoadWeights(path, network);

    /// <summary>A config record from JSON (null or empty = the defaults).</summary>
    protected static T ParseConfig<T>(string? json, string method) where T : new()
    {
        if (string.IsNullOrWhiteSpace(json)) return new T();
        try { return JsonSerializer.Deserialize<T>(json) ?? new T(); }
        catch (JsonException e) { throw new ArgumentException($"{method}: invalid config JSON ({e.Message})", nameof(json), e); }
    }

    public void Dispose()
    {
        network.Dispose();
        GC.SuppressFinalize(this);
    }
}
