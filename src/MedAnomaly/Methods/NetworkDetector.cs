using MedAnomaly.Data;
using MedAnomaly.Metrics;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// The one base of MedAnomaly's detectors: a validated config record, one network built from it, training through the
/// shared <see cref="Trainer"/> (the detector is its own <see cref="ITrainingObjective"/>; the network is rebuilt under
/// <c>torch.manual_seed(options.Seed)</c> at each <see cref="Fit"/> unless resuming), scoring in eval mode without
/// gradients on the network's device, and safetensors checkpoints (<see cref="DetectorCheckpoint"/>).
/// A method supplies only what is its own: <see cref="CreateNetwork"/>, <see cref="Channels"/>, <see cref="Loss"/> and
/// <see cref="Residual"/>, and a weakly supervised one overrides <see cref="Supervision"/>. Two networks trained together
/// (Wolleb et al.'s diffusion model and classifier) are one module holding both. Every map is summed over the image
/// channels and zero outside the brain, and <see cref="AnomalyOutput.Score"/> is <see cref="ImageScore"/>'s default.
/// </summary>
public abstract class NetworkDetector<TConfig, TNetwork> : IAnomalyDetector, ITrainingObjective
    where TConfig : class, IDetectorConfig where TNetwork : nn.Module
{
    TNetwork network;

    /// <remarks>The network is initialised from torch's default generator as it stands (no reseeding: tests and notebooks
    /// running side by side must not reset each other's global seed); <see cref="Fit"/> re-initialises it under the seed.</remarks>
    /// <exception cref="ArgumentException">The config is inconsistent (<see cref="IDetectorConfig.Validate"/>).</exception>
    protected NetworkDetector(TConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        network = CreateNetwork(config);
    }

    public abstract string Name { get; }
    public TConfig Config { get; }
    /// <summary>The network (float32; on the device of the last fit).</summary>
    public TNetwork Network => network;
    nn.Module ITrainingObjective.Network => network;
    public string ConfigJson => DetectorJson.Serialize(Config);

    /// <summary><see cref="Supervision.None"/> unless the method learns from image labels.</summary>
    public virtual Supervision Supervision => Supervision.None;

    /// <summary>The image channels the network takes (its config's input channels).</summary>
    public abstract int Channels { get; }

    protected abstract TNetwork CreateNetwork(TConfig config);

    /// <inheritdoc cref="ITrainingObjective.Loss"/>
    public abstract Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng);

    /// <summary>The method's residual map [N,C,H,W] or [N,1,H,W] ≥ 0 and its reconstruction or restoration [N,C,H,W] (null
    /// if none), of float32 images [N,C,H,W] in [0,1] on the network's device; eval mode, no gradients (a method that
    /// needs some, e.g. for classifier guidance, enables them inside). The base sums the map over channels and masks it
    /// with the foreground.</summary>
    protected abstract (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground);

    /// <summary>Trains on <paramref name="data"/>: healthy slices for an unsupervised method, image-labelled healthy and
    /// diseased slices for a weakly supervised one (<see cref="Supervision"/>; <c>ExperimentData.TrainingSetFor</c> picks the
    /// split). Lesion masks are refused (<see cref="Trainer.Validate"/>).</summary>
    /// <exception cref="ArgumentException">Diseased slices for an unsupervised method, or one label only for a weakly supervised one.</exception>
    public TrainingResult Fit(SliceDataset data, TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        CheckLabels(data);
        network = FreshNetwork.ForFit(network, options, () => CreateNetwork(Config));
        return Trainer.Run(this, data, options, progress, ct);
    }

    void CheckLabels(SliceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (healthy, diseased) = data.LabelCounts();
        if (Supervision == Supervision.None && diseased > 0)
            throw new ArgumentException($"{Name} is unsupervised: it trains on healthy slices only, but {diseased} of the {data.Count} training slices are " +
                                        $"labelled diseased (e.g. {data.Items.First(i => i.Label != 0).Origin}); give it the data set's healthy split", nameof(data));
        if (Supervision == Supervision.ImageLabels && (healthy == 0 || diseased == 0))
            throw new ArgumentException($"{Name} learns from image labels and needs healthy and diseased slices; the training slices are {healthy} healthy " +
                                        $"and {diseased} diseased (give it a weakly labelled split, e.g. `medanomaly data phantom --weak N`)", nameof(data));
    }

    /// <param name="images">[N,C,H,W] float in [0,1], C = <see cref="Channels"/>.</param>
    /// <param name="foreground">[N,1,H,W] {0,1}; where some channel is &gt; 0 when null.</param>
    /// <returns>Map [N,1,H,W] summed over channels × foreground, its image score, the reconstruction clamped to [0,1]; on the
    /// images' device.</returns>
    public AnomalyOutput Score(Tensor images, Tensor? foreground = null)
    {
        DetectorInputs.CheckImages(images, Channels);
        return NetworkScoring.InEvalMode(network, images, foreground, (x, fg) =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var input = x.to(ScalarType.Float32);
            var (map, reconstruction) = Residual(input, DetectorInputs.ForegroundOf(input, fg));
            map = map.sum(1, keepdim: true) * DetectorInputs.ForegroundOf(input, fg);
            return new AnomalyOutput(map, ImageScore.Compute(map, ImageScoring.Default), reconstruction?.clamp(0, 1)).MoveToOuterDisposeScope();
        });
    }

    /// <summary>Writes the network as safetensors with {"method": Name, "config": JSON} metadata.</summary>
    public void Save(string path) => DetectorCheckpoint.Save(path, this, network);

    /// <summary>Loads weights written by <see cref="Save"/> into this detector's network.</summary>
    public void LoadWeights(string path) => DetectorCheckpoint.LoadWeights(path, network);

    /// <summary>A detector of this method with another configuration and this one's weights, e.g. the same trained network
    /// scored with other settings (DISYRE's steps, DDPM's t_start). The networks' parameters must have the same shapes.</summary>
    public IAnomalyDetector WithConfig(TConfig config)
    {
        var copy = DetectorRegistry.Create(Name, DetectorJson.Serialize(config));
        try
        {
            using var noGrad = torch.no_grad();
            var target = ((ITrainingObjective)copy).Network.state_dict();
            foreach (var (name, tensor) in network.state_dict())
            {
                if (!target.TryGetValue(name, out var destination) || !destination.shape.SequenceEqual(tensor.shape))
                    throw new ArgumentException($"{Name}: the new configuration's network has no tensor '{name}' of shape [{string.Join(", ", tensor.shape)}]; only settings that keep the network can change");
                destination.copy_(tensor);
            }
            return copy;
        }
        catch { copy.Dispose(); throw; }
    }

    /// <summary>A detector built by <paramref name="fromJson"/> from the config stored in <paramref name="path"/> (refused
    /// when the file belongs to another method), with the stored weights; on the CPU.</summary>
    protected static TDetector Load<TDetector>(string path, string method, Func<string?, TDetector> fromJson) where TDetector : IAnomalyDetector
    {
        var (stored, config) = DetectorCheckpoint.ReadHeader(path);
        if (stored != method) throw new InvalidDataException($"{path} holds a '{stored}' detector, expected '{method}'");
        var detector = fromJson(config);
        try { detector.LoadWeights(path); return detector; }
        catch { detector.Dispose(); throw; }
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) network.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
