using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Coarse noise of the denoising autoencoder baseline (Kascenas et al., "Denoising autoencoders for
/// unsupervised anomaly detection in brain MRI", MIDL 2022): Gaussian noise drawn at a low resolution
/// (H/Scale × W/Scale), upsampled bilinearly to H×W and added to the image; the mask covers every pixel.
/// The published setting for 128² inputs is noise_res 16, σ = 0.2.
/// </summary>
public sealed record CoarseNoise(double Sigma = 0.2, int Resolution = 16, bool OnlyForeground = true) : ICorruption
{
    public string Name => "coarse-noise";

    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        if (clean.ndim != 4) throw new ArgumentException($"CoarseNoise expects [N,C,H,W], got [{string.Join(", ", clean.shape)}]");
        using var scope = torch.NewDisposeScope();
        long n = clean.size(0), c = clean.size(1);
        var low = torch.randn([n, c, Resolution, Resolution], generator: rng).to(clean.device) * Sigma;
        var noise = F.interpolate(low, size: [clean.size(2), clean.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
        // Kascenas et al. add noise only inside the head: background stays 0.
        if (OnlyForeground) noise = noise * clean.gt(0).to(clean.dtype);
        var corrupted = clean + noise;
        var mask = torch.ones([n, 1, clean.size(2), clean.size(3)], device: clean.device);
        var severity = torch.ones([n], device: clean.device);
        return new CorruptionResult(corrupted, mask, severity).MoveToOuterDisposeScope();
    }
}
