using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// The encoder half of <see cref="UNet2d"/> with a classification head: the noise-aware classifier of Dhariwal &amp;
/// Nichol 2021 (guided-diffusion's <c>EncoderUNetModel</c>) that Wolleb et al. 2022 train on noised slices, or, without
/// time conditioning, a plain image classifier (Grad-CAM's). From a <see cref="UNet2dConfig"/> (Layout Ho2020;
/// OutChannels unused): conv_in, the UNet's down path (residual blocks, attention, strided downsampling) and middle
/// block, GroupNorm → SiLU (<see cref="Features"/>), then a global average pool and a linear layer to the class logits
/// (<see cref="Head"/>; guided-diffusion's "adaptive" pool, with a linear layer for its zero-initialised 1×1 conv).
/// forward(x [N, InChannels, H, W], t [N] or null) → logits [N, classes]; H and W divisible by 2^(levels−1).
/// </summary>
public sealed class EncoderClassifier : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>Children are registered by hand in forward order (see <see cref="UNet2d"/>).</summary>
    protected override void RegisterComponents() { }

    public UNet2dConfig Config { get; }
    public int Classes { get; }
    readonly Sequential? timeMlp;
    readonly nn.Module<Tensor, Tensor> convIn;
    readonly ModuleList<nn.Module> down;
    readonly ResidualBlock mid1, mid2;
    readonly SelfAttention midAttention;
    readonly GroupNorm normOut;
    readonly Linear head;
    readonly int levels;

    public EncoderClassifier(UNet2dConfig config, int classes = 2) : base(nameof(EncoderClassifier))
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        if (Config.Layout != UNetLayout.Ho2020)
            throw new ArgumentException($"EncoderClassifier is the encoder of UNet2d: Layout must be Ho2020, got {Config.Layout}");
        Config.Validate();
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a classifier needs at least 2 classes");
        Classes = classes;
        var ch = Config.Channels;
        levels = ch.Length;
        int g = Config.GroupNormGroups;
        long timeDim = Ho2020Encoder.TimeDim(Config);
        timeMlp = Ho2020Encoder.TimeMlp(Config);
        convIn = Conv.Conv2d(Config.InChannels, ch[0], 3, padding: 1);
        (down, _) = Ho2020Encoder.DownPath(Config);
        int current = ch[^1];
        mid1 = new ResidualBlock(current, current, timeDim, g, Config.Dropout);
        midAttention = new SelfAttention(current, g, HeadsAt(current));
        mid2 = new ResidualBlock(current, current, timeDim, g, Config.Dropout);
        normOut = Normalization.GroupNorm(g, current);
        head = nn.Linear(current, classes);
        if (timeMlp is not null) register_module("time_mlp", timeMlp);
        register_module("conv_in", convIn);
        register_module("down", down);
        register_module("mid_block1", mid1);
        register_module("mid_attn", midAttention);
        register_module("mid_block2", mid2);
        register_module("norm_out", normOut);
        register_module("head", head);
    }

    int HeadsAt(int channels) => Ho2020Encoder.HeadsAt(Config, channels);

    /// <summary>The multiple of H and W the network needs: 2^(levels − 1).</summary>
    public int Multiple => 1 << (levels - 1);

    public override Tensor forward(Tensor x, Tensor? t)
    {
        using var scope = torch.NewDisposeScope();
        return Head(Features(x, t)).MoveToOuterDisposeScope();
    }

    /// <summary>The last feature maps, after the middle block, GroupNorm and SiLU: [N, Channels[^1], H/2^(levels−1), W/2^(levels−1)]
    /// (Grad-CAM's target layer).</summary>
    /// <param name="t">[N] timesteps; null when not time-conditioned.</param>
    public Tensor Features(Tensor x, Tensor? t)
    {
        if (x.ndim != 4 || x.size(1) != Config.InChannels || x.size(2) % Multiple != 0 || x.size(3) % Multiple != 0)
            throw new ArgumentException($"EncoderClassifier expects [N,{Config.InChannels},H,W] with H and W divisible by {Multiple}, got [{string.Join(", ", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        var emb = Ho2020Encoder.Embedding(timeMlp, Config, t, x, "EncoderClassifier (noise-aware)");
        var h = convIn.forward(x);
        foreach (var layer in down) h = Ho2020Encoder.Apply(layer, h, emb);
        h = mid2.forward(midAttention.forward(mid1.forward(h, emb)), emb);
        return F.silu(normOut.forward(h)).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [N, classes] from <see cref="Features"/>: global average pool, then the linear layer.</summary>
    public Tensor Head(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return head.forward(features.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
