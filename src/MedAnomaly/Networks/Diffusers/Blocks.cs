using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks.Diffusers;

/// <summary>Heads × channels per head of one attention layer (diffusers: heads = channels / attention_head_dim).</summary>
internal readonly record struct HeadLayout(int Heads, int HeadDim);

/// <summary>diffusers' <c>TimestepEmbedding</c> (models/embeddings.py): linear_1 → SiLU → linear_2.</summary>
internal sealed class TimestepEmbeddingMlp : nn.Module<Tensor, Tensor>
{
    readonly Linear linear1, linear2;

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public TimestepEmbeddingMlp(int inChannels, int embeddingChannels) : base(nameof(TimestepEmbeddingMlp))
    {
        linear1 = nn.Linear(inChannels, embeddingChannels);
        linear2 = nn.Linear(embeddingChannels, embeddingChannels);
        register_module("linear_1", linear1);
        register_module("linear_2", linear2);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return linear2.forward(F.silu(linear1.forward(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// diffusers' <c>DownBlock2D</c>, or <c>AttnDownBlock2D</c> when given a <see cref="HeadLayout"/>
/// (models/unets/unet_2d_blocks.py): residual blocks, each followed by self-attention in AttnDownBlock2D, then a
/// <see cref="Downsample"/> unless it is the deepest level. Every block output is kept as a skip for the up path.
/// </summary>
internal sealed class DownBlock2D : nn.Module
{
    readonly ModuleList<ResnetBlock2D> resnets = new();
    readonly ModuleList<Attention> attentions = new();
    readonly ModuleList<Downsample> downsamplers = new();

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public DownBlock2D(int inChannels, int outChannels, int layers, int tembChannels, int groups, double dropout,
                       HeadLayout? attention, bool addDownsample) : base(nameof(DownBlock2D))
    {
        for (int i = 0; i < layers; i++)
        {
            resnets.append(new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, tembChannels, groups, dropout));
            if (attention is { } a) attentions.append(new Attention(outChannels, a.Heads, a.HeadDim, groups));
        }
        if (addDownsample) downsamplers.append(new Downsample(outChannels));
        // diffusers registers attentions before resnets (AttnDownBlock2D.__init__); lists only once filled.
        if (attention is not null) register_module("attentions", attentions);
        register_module("resnets", resnets);
        if (addDownsample) register_module("downsamplers", downsamplers);
    }

    /// <summary>Runs the block on <paramref name="h"/>, appending each intermediate output to <paramref name="skips"/>.</summary>
    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips)
    {
        for (int i = 0; i < resnets.Count; i++)
        {
            h = resnets[i].forward(h, temb);
            if (attentions.Count > 0) h = attentions[i].forward(h);
            skips.Push(h);
        }
        if (downsamplers.Count > 0)
        {
            h = downsamplers[0].forward(h);
            skips.Push(h);
        }
        return h;
    }
}

/// <summary>
/// diffusers' <c>UNetMidBlock2D</c> (models/unets/unet_2d_blocks.py; one layer, add_attention): residual block →
/// self-attention → residual block, at the deepest level's width.
/// </summary>
internal sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor, Tensor>
{
    readonly ModuleList<ResnetBlock2D> resnets = new();
    readonly ModuleList<Attention> attentions = new();

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public UNetMidBlock2D(int channels, int tembChannels, int groups, double dropout, HeadLayout attention) : base(nameof(UNetMidBlock2D))
    {
        resnets.append(new ResnetBlock2D(channels, channels, tembChannels, groups, dropout));
        attentions.append(new Attention(channels, attention.Heads, attention.HeadDim, groups));
        resnets.append(new ResnetBlock2D(channels, channels, tembChannels, groups, dropout));
        register_module("attentions", attentions);
        register_module("resnets", resnets);
    }

    public override Tensor forward(Tensor h, Tensor temb)
    {
        using var scope = torch.NewDisposeScope();
        h = resnets[1].forward(attentions[0].forward(resnets[0].forward(h, temb)), temb);
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// diffusers' <c>UpBlock2D</c>, or <c>AttnUpBlock2D</c> when given a <see cref="HeadLayout"/>
/// (models/unets/unet_2d_blocks.py): residual blocks, each on the running features concatenated with the next
/// skip (and followed by self-attention in AttnUpBlock2D), then an <see cref="Upsample"/> unless it is the last.
/// </summary>
internal sealed class UpBlock2D : nn.Module
{
    readonly ModuleList<ResnetBlock2D> resnets = new();
    readonly ModuleList<Attention> attentions = new();
    readonly ModuleList<Upsample> upsamplers = new();

    /// <param name="inChannels">Width of the skip taken by the last residual block (the level above's width).</param>
    /// <param name="previousChannels">Width of the features coming from below.</param>
    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public UpBlock2D(int inChannels, int previousChannels, int outChannels, int layers, int tembChannels, int groups,
                     double dropout, HeadLayout? attention, bool addUpsample) : base(nameof(UpBlock2D))
    {
        for (int i = 0; i < layers; i++)
        {
            int skipChannels = i == layers - 1 ? inChannels : outChannels;
            int runningChannels = i == 0 ? previousChannels : outChannels;
            resnets.append(new ResnetBlock2D(runningChannels + skipChannels, outChannels, tembChannels, groups, dropout));
            if (attention is { } a) attentions.append(new Attention(outChannels, a.Heads, a.HeadDim, groups));
        }
        if (addUpsample) upsamplers.append(new Upsample(outChannels));
        if (attention is not null) register_module("attentions", attentions);
        register_module("resnets", resnets);
        if (addUpsample) register_module("upsamplers", upsamplers);
    }

    /// <summary>Runs the block on <paramref name="h"/>, taking one skip from <paramref name="skips"/> per residual block.</summary>
    public Tensor Forward(Tensor h, Tensor temb, Stack<Tensor> skips)
    {
        for (int i = 0; i < resnets.Count; i++)
        {
            h = resnets[i].forward(torch.cat([h, skips.Pop()], dim: 1), temb);
            if (attentions.Count > 0) h = attentions[i].forward(h);
        }
        return upsamplers.Count > 0 ? upsamplers[0].forward(h) : h;
    }
}
