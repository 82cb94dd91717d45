using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>
/// The convolutional autoencoder of the MedIAnomaly benchmark (Cai et al. 2024, arXiv 2404.04518; AE4AD): input
/// <see cref="InputSize"/>² (64), four stride-2 levels, a fully connected bottleneck to <see cref="LatentSize"/> (16).
/// Widths are <see cref="BaseWidth"/> (16) × <see cref="WidthMultipliers"/> per level. <see cref="Variational"/>
/// makes the encoder output μ and log σ² (2 × latent) for the VAE.
/// </summary>
public sealed record ConvAutoencoderConfig
{
    public int InputSize { get; init; } = 64;
    public int InChannels { get; init; } = 1;
    public int BaseWidth { get; init; } = 16;
    /// <summary>Width of each of the four levels as a multiple of <see cref="BaseWidth"/> (MedIAnomaly: 1, 2, 4, 4).</summary>
    public int[] WidthMultipliers { get; init; } = [1, 2, 4, 4];
    /// <summary>Hidden width of the fully connected bottleneck (MedIAnomaly's mid_num).</summary>
    public int MidFeatures { get; init; } = 2048;
    public int LatentSize { get; init; } = 16;
    public bool Variational { get; init; }
    public double LeakySlope { get; init; } = 0.2;

    /// <summary>Checks every field before a network is built (the <see cref="ConvAutoencoder"/> constructor calls it).</summary>
    /// <exception cref="ArgumentException">The first bad field, its value and what was expected.</exception>
    public void Validate()
    {
        const string type = nameof(ConvAutoencoderConfig);
        NetworkChecks.Require(WidthMultipliers is { Length: > 0 }, type, nameof(WidthMultipliers), "[]", "one width multiplier per level, e.g. [1, 2, 4, 4]");
        NetworkChecks.Require(WidthMultipliers!.All(m => m >= 1), type, nameof(WidthMultipliers), $"[{string.Join(", ", WidthMultipliers)}]", "positive multipliers");
        int levels = WidthMultipliers.Length;
        NetworkChecks.Require(levels <= 12, type, nameof(WidthMultipliers), $"{levels} levels", "at most 12 levels (each halves the image)");
        NetworkChecks.Require(InputSize >= 1 << levels && InputSize % (1 << levels) == 0, type, nameof(InputSize), InputSize,
            $"a multiple of 2^{levels} = {1 << levels} (one halving per entry of WidthMultipliers)");
        NetworkChecks.Require(InChannels >= 1, type, nameof(InChannels), InChannels, "at least 1");
        NetworkChecks.Require(BaseWidth >= 1, type, nameof(BaseWidth), BaseWidth, "at least 1");
        NetworkChecks.Require(MidFeatures >= 1, type, nameof(MidFeatures), MidFeatures, "at least 1");
        NetworkChecks.Require(LatentSize >= 1, type, nameof(LatentSize), LatentSize, "at least 1");
        NetworkChecks.Require(LeakySlope >= 0 && double.IsFinite(LeakySlope), type, nameof(LeakySlope), LeakySlope, "a finite slope ≥ 0");
    }
}

/// <summary>
/// <code>
/// encoder: [conv3×3 stride 2 → BatchNorm → LeakyReLU] per level (H → H/2^levels), flatten
/// bottleneck: Linear(C·f², mid) → BatchNorm1d → LeakyReLU → Linear(mid, latent)   (2·latent for the VAE: μ, log σ²)
///             Linear(latent, mid) → BatchNorm1d → LeakyReLU → Linear(mid, C·f²), reshape [N, C, f, f]
/// decoder: mirrored: [upsample ×2 (nearest) → conv3×3 → BatchNorm → LeakyReLU] per level, the last conv to
///          InChannels without normalisation or activation
/// </code>
/// MedIAnomaly decodes with transposed convolutions; here upsample + conv (equivalent capacity, no checkerboard,
/// and every convolution goes through <see cref="Conv.Conv2d"/>, avoiding libtorch 2.10's oneDNN gradient bug).
/// Input [N, InChannels, InputSize, InputSize]; <see cref="forward"/> returns the reconstruction of the same shape
/// (from μ for the VAE — its deterministic, test-time output).
/// </summary>
public sealed class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> encoder, encoderHead, decoderHead, decoder;
    readonly long bottleneckChannels, featureSize;

    public ConvAutoencoderConfig Config { get; }

    public ConvAutoencoder(ConvAutoencoderConfig? config = null) : base(nameof(ConvAutoencoder))
    {
        var c = Config = config ?? new ConvAutoencoderConfig();
        c.Validate();
        int levels = c.WidthMultipliers.Length;
        var widths = c.WidthMultipliers.Select(m => (long)m * c.BaseWidth).ToArray();
        bottleneckChannels = widths[^1];
        featureSize = c.InputSize >> levels;
        long flat = bottleneckChannels * featureSize * featureSize;

        var down = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < levels; i++)
            down.Add(ConvBlock(i == 0 ? c.InChannels : widths[i - 1], widths[i], stride: 2, c.LeakySlope));
        encoder = nn.Sequential(down);
        encoderHead = Dense(flat, c.MidFeatures, c.Variational ? 2L * c.LatentSize : c.LatentSize, c.LeakySlope);
        decoderHead = Dense(c.LatentSize, c.MidFeatures, flat, c.LeakySlope);
        var up = new List<nn.Module<Tensor, Tensor>>();
        for (int i = levels - 1; i >= 0; i--)
        {
            long outChannels = i == 0 ? c.InChannels : widths[i - 1];
            up.Add(nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest));
            up.Add(i == 0 ? Conv.Conv2d(widths[i], outChannels, 3, padding: 1) : ConvBlock(widths[i], outChannels, stride: 1, c.LeakySlope));
        }
        decoder = nn.Sequential(up);
        RegisterComponents();
    }

    static nn.Module<Tensor, Tensor> ConvBlock(long inChannels, long outChannels, long stride, double slope) => nn.Sequential(
        Conv.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1), nn.BatchNorm2d(outChannels), nn.LeakyReLU(slope));

    static nn.Module<Tensor, Tensor> Dense(long input, long hidden, long output, double slope) => nn.Sequential(
        nn.Linear(input, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(slope), nn.Linear(hidden, output));

    /// <summary>The latent code [N, latent]; for the VAE, (μ, log σ²) each [N, latent], else (z, null).</summary>
    public (Tensor Mean, Tensor? LogVariance) Encode(Tensor x)
    {
        CheckInput(x);
        using var scope = torch.NewDisposeScope();
        var h = encoderHead.forward(encoder.forward(x).flatten(1));
        if (!Config.Variational) return (h.MoveToOuterDisposeScope(), null);
        var parts = h.chunk(2, dim: 1);
        return (parts[0].MoveToOuterDisposeScope(), parts[1].MoveToOuterDisposeScope());
    }

    /// <summary>Reconstruction [N, InChannels, InputSize, InputSize] from latent codes [N, latent].</summary>
    public Tensor Decode(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var h = decoderHead.forward(z).view(-1, bottleneckChannels, featureSize, featureSize);
        return decoder.forward(h).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return Decode(Encode(x).Mean).MoveToOuterDisposeScope();
    }

    void CheckInput(Tensor x)
    {
        var c = Config;
        if (x.ndim != 4 || x.size(1) != c.InChannels || x.size(2) != c.InputSize || x.size(3) != c.InputSize)
            throw new ArgumentException($"ConvAutoencoder expects [N, {c.InChannels}, {c.InputSize}, {c.InputSize}], got [{string.Join(", ", x.shape)}]");
    }
}
