using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Coarse noise of the denoising autoencoder baseline (Kascenas et al., "Denoising autoencoders for
/// unsupervised anomaly detection in brain MRI", MIDL 2022; code AntanasKascenas/DenoisingAE, src/denoising.py):
/// Gaussian noise of std σ drawn at Resolution × Resolution, upsampled bilinearly to H×W (align_corners, as
/// <c>F.upsample_bilinear</c>), rolled by one random offset per batch, and added where the image is above 0.01 (inside the
/// head). The mask covers every pixel. The published setting for 128² inputs is noise_res 16, σ = 0.2.
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
        long rollRows = torch.randint(0, clean.size(2), [1], generator: rng).item<long>();
        long rollColumns = torch.randint(0, clean.size(3), [1], generator: rng).item<long>();
        var corrupted = Compose(clean, low, rollRows, rollColumns, OnlyForeground);
        var mask = torch.ones([n, 1, clean.size(2), clean.size(3)], device: clean.device);
        var severity = torch.ones([n], device: clean.device);
        return new CorruptionResult(corrupted, mask, severity).MoveToOuterDisposeScope();
    }

    /// <summary>clean + roll(upsample(low)) (inside the head when <paramref name="onlyForeground"/>): the deterministic part
    /// of <see cref="Apply"/>, given the low-resolution noise [N,C,r,r] and the roll along H and W.</summary>
    public static Tensor Compose(Tensor clean, Tensor low, long rollRows, long rollColumns, bool onlyForeground = true)
    {
        using var scope = torch.NewDisposeScope();
        var noise = F.interpolate(low, size: [clean.size(2), clean.size(3)], mode: InterpolationMode.Bilinear, align_corners: true);
        noise = noise.roll([rollRows, rollColumns], [-2, -1]);
        if (onlyForeground) noise = noise * clean.sum([1], keepdim: true).gt(0.01).to(clean.dtype);
        return (clean + noise).MoveToOuterDisposeScope();
    }
}
