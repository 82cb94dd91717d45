using System.Text.Json;
using MedAnomaly.Data;
using MedAnomaly.Networks;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// What the diffusion detectors (<see cref="DdpmDetector"/>, <see cref="Disyre"/>) share: a config record with a
/// time-conditioned <see cref="UNet2d"/> in it, a training objective over that network run by the shared
/// <see cref="Trainer"/> (the network rebuilt under <c>torch.manual_seed(options.Seed)</c> unless resuming, so a fit is
/// reproducible), and safetensors checkpoints with the method name and config JSON in the header
/// (<see cref="DetectorCheckpoint"/>). A subclass supplies its objective and its scoring.
/// </summary>
public abstract class DiffusionDetector<TConfig, TObjective> : IAnomalyDetector, ILoadableDetector
    where TConfig : class, IDiffusionConfig where TObjective : ITrainingObjective, IDisposable
{
    /// <remarks>The network is initialised from torch's default generator as it stands (no reseeding: tests and notebooks
    /// running side by side must not reset each other's global seed); <see cref="Fit"/> re-initialises it under
    /// torch.manual_seed(options.Seed).</remarks>
    /// <exception cref="ArgumentException">The config is inconsistent (<see cref="IDiffusionConfig.Validate"/>).</exception>
    protected DiffusionDetector(TConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Network = new UNet2d(config.Network);
    }

    public abstract string Name { get; }
    public TConfig Config { get; }
    /// <summary>The time-conditioned network (float32; on the device of the last fit).</summary>
    public UNet2d Network { get; private set; }
    public string ConfigJson => JsonSerializer.Serialize(Config, DetectorCheckpoint.Json);

    /// <summary>The training objective over this detector's network.</summary>
    public abstract TObjective CreateObjective();

    public abstract AnomalyOutput Score(Tensor images, Tensor? foreground = null);

    /// <summary>Trains a fresh network (initialised under torch.manual_seed(options.Seed); kept when resuming from a
    /// checkpoint) on <see cref="CreateObjective"/> with the shared <see cref="Trainer"/>.</summary>
    public TrainingResult Fit(SliceDataset healthy, TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        Network = FreshNetwork.ForFit(Network, options, () => new UNet2d(Config.Network));
        using var objective = CreateObjective();
        return Trainer.Run(objective, healthy, options, progress, ct);
    }

    /// <summary>Writes the network as safetensors with {"method": Name, "config": JSON} metadata.</summary>
    public void Save(string path) => DetectorCheckpoint.Save(path, this, Network);

    /// <summary>Loads weights written by <see cref="Save"/> into this detector's network.</summary>
    public void LoadWeights(string path) => DetectorCheckpoint.LoadWeights(path, Network);

    /// <summary>A detector built by <paramref name="fromJson"/> from the config stored in <paramref name="path"/> (refused
    /// when the file belongs to another method), with the stored weights; on the CPU.</summary>
    protected static TDetector Load<TDetector>(string path, string method, Func<string?, TDetector> fromJson) where TDetector : IAnomalyDetector, ILoadableDetector
    {
        var detector = fromJson(DetectorCheckpoint.ReadConfig(path, method));
        try { detector.LoadWeights(path); return detector; }
        catch { detector.Dispose(); throw; }
    }

    /// <summary>The config serialised as the registry's factory reads it (enums by name).</summary>
    protected static string Json(TConfig config) => JsonSerializer.Serialize(config, DetectorCheckpoint.Json);

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Network.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
