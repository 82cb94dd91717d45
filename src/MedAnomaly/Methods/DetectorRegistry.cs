namespace MedAnomaly.Methods;

/// <summary>One registered method: its name, one line of help, a factory from config JSON (null = paper defaults) and
/// its presets.</summary>
public sealed record DetectorEntry(string Name, string Help, Func<string?, IAnomalyDetector> Create, Func<PresetName, DetectorPreset> Preset);

/// <summary>
/// The printable list of anomaly detectors. Adding a method = one file in Methods/ and one line in <see cref="All"/>;
/// the registry-wide test then trains and scores it on the phantom automatically.
/// </summary>
public static class DetectorRegistry
{
    static readonly Registration<DetectorEntry> Entries = new(
    [
        new("ae", "convolutional autoencoder, map (x − x̂)² (MedIAnomaly, Cai et al. 2024)", AutoEncoderDetector.FromJson, AutoEncoderDetector.Preset),
        new("vae", "variational autoencoder, reconstruction + β·KL, map from the mean latent (MedIAnomaly)", VaeDetector.FromJson, VaeDetector.Preset),
        new("dae", "denoising UNet trained on coarse noise, map |x − x̂| (Kascenas et al. 2022)", DaeDetector.FromJson, DaeDetector.Preset),
        new("ddpm", "ε-DDPM, noise to t_start = 250 and DDIM/DDPM back, map |x − x̂| (Pinaya 2022; AnoDDPM simplex as a config)", DdpmDetector.FromJson, DdpmDetector.Preset),
        new("disyre", "x₀-restoration of DAG synthetic anomalies, mean-single-step map (Marimont & Tarroni 2024)", Disyre.FromJson, Disyre.Preset),
        new("wolleb", "weakly supervised: DDPM + noise-aware classifier, DDIM-encode to L = 500, guided decoding to healthy, map |x − x̂| (Wolleb et al. 2022)", Wolleb.FromJson, Wolleb.Preset),
        new("gradcam", "weakly supervised: a classifier of the image labels, map = Grad-CAM of its diseased logit (Selvaraju et al. 2017)", GradCam.FromJson, GradCam.Preset),
    ], e => e.Name);

    /// <summary>The registered detectors, built-in first.</summary>
    public static IReadOnlyList<DetectorEntry> All => Entries.Snapshot();

    /// <summary>Registers a detector from another assembly (a plug-in, a test project); disposing the handle removes it.</summary>
    public static IDisposable Register(DetectorEntry entry) => Entries.Add(entry);

    public static DetectorEntry Get(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown detector '{name}'; registered: {string.Join(", ", All.Select(e => e.Name))}");

    /// <summary>A new, untrained detector from its name and config JSON (null = defaults).</summary>
    public static IAnomalyDetector Create(string name, string? configJson = null) => Get(name).Create(configJson);

    /// <summary>A new detector configured by one of its presets, with the preset's training options and image size.</summary>
    public static (IAnomalyDetector Detector, DetectorPreset Preset) Create(string name, PresetName preset)
    {
        var p = Get(name).Preset(preset);
        return (Get(name).Create(p.ConfigJson), p);
    }

    /// <summary>Rebuilds a detector written by <see cref="IAnomalyDetector.Save"/>: the method and config come from the file's
    /// metadata, then the weights are loaded (each tensor's shape checked before it is copied).</summary>
    /// <exception cref="InvalidDataException">The file is not a saved detector: a bad header, an unknown method, a config the
    /// method refuses, or tensors that do not fit the network.</exception>
    public static IAnomalyDetector Load(string path)
    {
        var (method, config) = DetectorCheckpoint.ReadHeader(path);
        IAnomalyDetector detector;
        try { detector = Create(method, config); }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{path}: the saved detector cannot be rebuilt: {e.Message}", e);
        }
        try { detector.LoadWeights(path); return detector; }
        catch { detector.Dispose(); throw; }
    }

    /// <summary>"name  help" per line.</summary>
    public static string Describe() => string.Join(Environment.NewLine, All.Select(e => $"{e.Name,-8}{e.Help}"));
}
