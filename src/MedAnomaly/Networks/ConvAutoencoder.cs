using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>
/// The convolutional autoencoder of the MedIAnomaly benchmark (Cai et al. 2024, arXiv 2404.04518; code
/// caiyu6666/MedIAnomaly, reconstruction/networks/ae.py and vae.py): input <see cref="InputSize"/>² (64), four stride-2
/// levels of width <see cref="BaseWidth"/> (16) × <see cref="WidthMultipliers"/>, a fully connected bottleneck through
/// <see cref="MidFeatures"/> (1024) to <see cref="LatentSize"/> (16). <see cref="Variational"/> makes the encoder output
/// μ and log σ² (2 × latent) for the VAE.
/// </summary>
public sealed record ConvAutoencoderConfig
{
    public int InputSize { get; init; } = 64;
    public int InChannels { get; init; } = 1;
    public int BaseWidth { get; init; } = 16;
    /// <summary>Width of each level as a multiple of <see cref="BaseWidth"/> (MedIAnomaly: 1, 2, 4, 4).</summary>
    public int[] WidthMultipliers { get; init; } = [1, 2, 4, 4];
    /// <summary>Hidden width of the fully connected bottleneck (MedIAnomaly's mid_num): 1024, what its trainer builds
    /// (options.py --hidden-num, passed by utils/base_worker.py); the AE class's own default of 2048 is not used there.</summary>
    public int MidFeatures { get; init; } = 1024;
    public int LatentSize { get; init; } = 16;
    public bool Variational { get; init; }

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
    }
}

/// <summary>
/// MedIAnomaly's AE, layer for layer and under its parameter names, so its state_dict loads here:
/// <code>
/// en_block{i}: Conv2d(k4, s2, p1, no bias) → BatchNorm2d → ReLU                    (H → H/2 per level)
/// bottle_neck.linear_enc: Linear(C·f², mid) → BatchNorm1d → ReLU → Linear(mid, latent)   (2·latent for the VAE)
/// bottle_neck.linear_dec: Linear(latent, mid) → BatchNorm1d → ReLU → Linear(mid, C·f²), reshape [N, C, f, f]
/// de_block{i}: ConvTranspose2d(k4, s2, p1, no bias) → BatchNorm2d → ReLU; the last without BatchNorm and ReLU
/// </code>
/// Input [N, InChannels, InputSize, InputSize]; <see cref="forward"/> returns the reconstruction of the same shape (from μ
/// for the VAE). Convolutions go through <see cref="Conv"/> (libtorch 2.10's oneDNN channel-padding bug).
/// </summary>
public sealed class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    protected override void RegisterComponents() { }   // children are registered by hand under MedIAnomaly's names

    readonly nn.Module<Tensor, Tensor>[] encoder, decoder;
    readonly nn.Module<Tensor, Tensor> linearEncoder, linearDecoder;
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

        encoder = Enumerable.Range(0, levels).Select(i => Block(Conv.Conv2d(i == 0 ? c.InChannels : widths[i - 1], widths[i], 4, 2, 1, bias: false), widths[i])).ToArray();
        linearEncoder = Dense(flat, c.MidFeatures, c.Variational ? 2L * c.LatentSize : c.LatentSize);
        linearDecoder = Dense(c.LatentSize, c.MidFeatures, flat);
        decoder = Enumerable.Range(0, levels).Select(k =>
        {
            int i = levels - 1 - k;   // de_block1 mirrors the deepest level
            long outChannels = i == 0 ? c.InChannels : widths[i - 1];
            var up = Conv.ConvTranspose2d(widths[i], outChannels, 4, 2, 1, bias: false);
            return i == 0 ? new Named(nn.Sequential(("0", up))) : Block(up, outChannels);
        }).ToArray();
        RegisterInMedIAnomalyOrder();
    }

    /// <summary>MedIAnomaly's BasicBlock: a child "model", the Sequential of convolution, BatchNorm2d, ReLU.</summary>
    static nn.Module<Tensor, Tensor> Block(nn.Module<Tensor, Tensor> convolution, long channels) =>
        new Named(nn.Sequential(("0", convolution), ("1", nn.BatchNorm2d(channels)), ("2", nn.ReLU())));

    static nn.Module<Tensor, Tensor> Dense(long input, long hidden, long output) =>
        nn.Sequential(("0", nn.Linear(input, hidden)), ("1", nn.BatchNorm1d(hidden)), ("2", nn.ReLU()), ("3", nn.Linear(hidden, output)));

    void RegisterInMedIAnomalyOrder()
    {
        for (int i = 0; i < encoder.Length; i++) register_module($"en_block{i + 1}", encoder[i]);
        register_module("bottle_neck", new BottleNeck(linearEncoder, linearDecoder));
        for (int i = 0; i < decoder.Length; i++) register_module($"de_block{i + 1}", decoder[i]);
    }

    /// <summary>A module whose only child is registered as "model" (MedIAnomaly's BasicBlock.model).</summary>
    sealed class Named : nn.Module<Tensor, Tensor>
    {
        protected override void RegisterComponents() { }   // children are registered by hand under MedIAnomaly's names

        readonly nn.Module<Tensor, Tensor> model;

        public Named(nn.Module<Tensor, Tensor> model) : base("BasicBlock")
        {
            this.model = model;
            register_module("model", model);
        }

        public override Tensor forward(Tensor x) => model.forward(x);
    }

    /// <summary>Holds the two halves of the bottleneck under MedIAnomaly's names (linear_enc, linear_dec).</summary>
    sealed class BottleNeck : nn.Module
    {
        protected override void RegisterComponents() { }   // children are registered by hand under MedIAnomaly's names

        public BottleNeck(nn.Module linearEncoder, nn.Module linearDecoder) : base("BottleNeck")
        {
            register_module("linear_enc", linearEncoder);
            register_module("linear_dec", linearDecoder);
        }
    }

    /// <summary>The latent code [N, latent]; for the VAE, (μ, log σ²) each [N, latent], else (z, null).</summary>
    public (Tensor Mean, Tensor? LogVariance) Encode(Tensor x)
    {
        CheckInput(x);
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var block in encoder) h = block.forward(h);
        h = linearEncoder.forward(h.flatten(1));
        if (!Config.Variational) return (h.MoveToOuterDisposeScope(), null);
        var parts = h.chunk(2, dim: 1);
        return (parts[0].MoveToOuterDisposeScope(), parts[1].MoveToOuterDisposeScope());
    }

    /// <summary>Reconstruction [N, InChannels, InputSize, InputSize] from latent codes [N, latent].</summary>
    public Tensor Decode(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var h = linearDecoder.forward(z).view(-1, bottleneckChannels, featureSize, featureSize);
        foreach (var block in decoder) h = block.forward(h);
        return h.MoveToOuterDisposeScope();
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
