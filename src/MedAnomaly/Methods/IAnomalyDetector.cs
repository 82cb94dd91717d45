using MedAnomaly.Data;
using MedAnomaly.Training;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// An anomaly detector: trained on healthy slices only (unsupervised) or on image-labelled healthy and diseased slices
/// (weakly supervised, <see cref="Supervision"/>), it scores new images with a pixel-wise map and an image score
/// (<see cref="AnomalyOutput"/>). Implementations live in Methods/, one file per method;
/// their configuration is a C# record whose defaults follow the paper, and adding one is one file plus one
/// line in <see cref="DetectorRegistry"/>.
/// </summary>
public interface IAnomalyDetector : IDisposable
{
    /// <summary>The registry name: "ae", "vae", "dae", "ddpm", "disyre", …</summary>
    string Name { get; }

    /// <summary>The configuration as JSON (stored in checkpoints and in the run store).</summary>
    string ConfigJson { get; }

    /// <summary>What it learns from besides images: nothing (healthy slices only) or image labels.</summary>
    Supervision Supervision { get; }

    /// <summary>Trains on slices [C×H×W, values in [0,1]] with the shared <see cref="Trainer"/>: healthy ones, or image-labelled
    /// ones for a weakly supervised detector; never on lesion masks.</summary>
    TrainingResult Fit(SliceDataset data, TrainingOptions options, IProgress<TrainingProgress>? progress = null,
                       CancellationToken ct = default);

    /// <param name="images">[N,C,H,W] float32 in [0,1].</param>
    /// <param name="foreground">Optional [N,1,H,W] brain mask {0,1}; <c>images &gt; 0</c> when null. The map is zero outside it.</param>
    AnomalyOutput Score(Tensor images, Tensor? foreground = null);

    /// <summary>Writes the weights as safetensors with the name and config JSON in the header metadata.</summary>
    void Save(string path);

    /// <summary>Loads weights written by <see cref="Save"/> by a detector of the same configuration.</summary>
    void LoadWeights(string path);
}
