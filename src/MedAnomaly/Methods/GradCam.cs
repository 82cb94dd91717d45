using MedAnomaly.Networks;
using MedAnomaly.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>Configuration of <see cref="GradCam"/>: the classifier is the encoder half of a UNet without a timestep input
/// (<see cref="EncoderClassifier"/>), the same plan as <see cref="Wolleb"/>'s noise-aware classifier.</summary>
public sealed record GradCamConfig : IDetectorConfig
{
    public UNet2dConfig Network { get; init; } = WollebConfig.PaperClassifier with { TimeConditioned = false };

    public void Validate()
    {
        if (Network.TimeConditioned) throw new ArgumentException("Grad-CAM's classifier sees clean images: Network.TimeConditioned must be false");
        if (Network.Layout != UNetLayout.Ho2020) throw new ArgumentException($"the classifier is the encoder of UNet2d: Network.Layout must be Ho2020, got {Network.Layout}");
        Network.Validate();
    }
}

/// <summary>
/// The class-activation baseline of weakly supervised comparisons: a plain classifier trained on the image labels
/// (cross-entropy on x' = 2x − 1), map = Grad-CAM of the "diseased" logit (Selvaraju et al., ICCV 2017, eq. 1–2) at the
/// classifier's last feature maps A (after the middle block): α_k = mean_ij ∂y/∂A^k_ij, map = ReLU(Σ_k α_k A^k), upsampled
/// bilinearly to the slice (zero outside the brain, as every map). y is the diseased logit of the binary classifier, the
/// log-odds y_diseased − y_healthy: a two-class softmax is unchanged when both logits shift alike, so y_diseased alone is
/// not fixed by training. Not normalised per slice, so maps stay comparable across slices. No reconstruction.
/// </summary>
public sealed class GradCam(GradCamConfig? config = null) : NetworkDetector<GradCamConfig, EncoderClassifier>(config ?? new GradCamConfig())
{
    public const string MethodName = "gradcam";
    /// <summary>The class whose activation map is drawn (against <see cref="Healthy"/>).</summary>
    public const int Diseased = 1, Healthy = 0;

    public override string Name => MethodName;
    public override Supervision Supervision => Supervision.ImageLabels;
    public override int Channels => Config.Network.InChannels;

    protected override EncoderClassifier CreateNetwork(GradCamConfig config) => new(config.Network, classes: 2);

    /// <summary>A detector from config JSON (null or empty = the defaults), the registry's factory.</summary>
    public static GradCam FromJson(string? json) => new(DetectorJson.Parse<GradCamConfig>(json, MethodName));

    /// <summary>Wolleb's classifier without its timestep, trained as Wolleb's presets train it (<see cref="Wolleb.Preset"/>).</summary>
    public static DetectorPreset Preset(PresetName preset)
    {
        var wolleb = Wolleb.Preset(preset);
        var classifier = DetectorJson.Parse<WollebConfig>(wolleb.ConfigJson, Wolleb.MethodName).Classifier;
        return wolleb with { ConfigJson = DetectorJson.Serialize(new GradCamConfig { Network = classifier with { TimeConditioned = false } }) };
    }

    public override Tensor Loss(Tensor images, Tensor foreground, Tensor labels, Generator rng)
    {
        DetectorInputs.CheckImages(images, Channels);
        using var scope = torch.NewDisposeScope();
        var logits = Network.forward(SliceSize.PadToMultiple(images, Network.Multiple) * 2 - 1, null);
        return F.cross_entropy(logits.to(ScalarType.Float32), labels.to(images.device)).MoveToOuterDisposeScope();
    }

    protected override (Tensor Map, Tensor? Reconstruction) Residual(Tensor images, Tensor foreground) =>
        (SliceSize.Padded(x => Map(Network, x * 2 - 1), images, Network.Multiple), null);

    /// <summary>Grad-CAM of the log-odds of <see cref="Diseased"/> for inputs x [N,C,H,W] (H, W multiples of the network's): [N,1,H,W] ≥ 0.</summary>
    public static Tensor Map(EncoderClassifier network, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var scope = torch.NewDisposeScope();
        using var grad = torch.enable_grad();
        var features = network.Features(x.detach(), null);
        var logits = network.Head(features).to(ScalarType.Float32);
        var logOdds = (logits.select(1, Diseased) - logits.select(1, Healthy)).sum();
        var gradients = torch.autograd.grad([logOdds], [features])[0];
        var weights = gradients.mean([2, 3], keepdim: true);
        var cam = F.relu((weights * features).sum(1, keepdim: true));
        var map = F.interpolate(cam.detach(), [x.size(2), x.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
        return map.MoveToOuterDisposeScope();
    }
}
