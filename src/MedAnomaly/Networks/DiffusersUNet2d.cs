using MedAnomaly.Networks.Diffusers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// diffusers' <c>UNet2DModel</c> (models/unets/unet_2d.py, v0.27.2) for the block types DownBlock2D /
/// AttnDownBlock2D / UpBlock2D / AttnUpBlock2D, with every other argument at its default (positional time
/// embedding with flip_sin_to_cos and freq_shift 0, norm_eps 1e-5, conv down/upsampling with padding 1,
/// resnet_time_scale_shift "default", SiLU, attention in the mid block). Parameter names are diffusers' state_dict
/// keys, in its order, so its checkpoints load by name (<see cref="LoadDiffusers"/>), and the modules are made in
/// its order, so a seeded network starts from the weights a seeded UNet2DModel draws.
/// <para>From a <see cref="UNet2dConfig"/> with Layout = Diffusers: Channels = block_out_channels, LayersPerBlock =
/// layers_per_block, AttentionLevels = the levels whose down block is AttnDownBlock2D (the up blocks mirror them),
/// GroupNormGroups = norm_num_groups, AttentionHeadDim = attention_head_dim (0: AttentionHeads heads per layer),
/// Dropout = dropout.</para>
/// forward(x [N, InChannels, H, W], t [N]) → UNet2DModel(x, t).sample [N, OutChannels, H, W]; H and W divisible by
/// 2^(levels−1).
/// </summary>
public sealed partial class DiffusersUNet2d : nn.Module<Tensor, Tensor?, Tensor>
{
    public UNet2dConfig Config { get; }

    /// <summary>The network DISYRE trains (trainer_disyre.py, 1-channel patches): 26,296,929 parameters.</summary>
    public static UNet2dConfig DisyreConfig => new()
    {
        Layout = UNetLayout.Diffusers,
        Channels = [32, 64, 96, 128, 256, 256],
        LayersPerBlock = 2,
        AttentionLevels = [4],
        GroupNormGroups = 32,
        AttentionHeadDim = 8,
    };

    readonly nn.Module<Tensor, Tensor> convIn, convOut;
    readonly TimestepEmbeddingMlp timeEmbedding;
    readonly ModuleList<DownBlock2D> downBlocks = new();
    readonly UNetMidBlock2D midBlock;
    readonly ModuleList<UpBlock2D> upBlocks = new();
    readonly GroupNorm convNormOut;

    public DiffusersUNet2d(UNet2dConfig config) : base(nameof(DiffusersUNet2d))
    {
        Config = config;
        Validate(config);
        var ch = config.Channels;
        int levels = ch.Length, g = config.GroupNormGroups, tembChannels = ch[0] * 4;

        convIn = Conv.Conv2d(config.InChannels, ch[0], 3, padding: 1);
        timeEmbedding = new TimestepEmbeddingMlp(ch[0], tembChannels);
        for (int level = 0; level < levels; level++)
            downBlocks.append(new DownBlock2D(ch[Math.Max(level - 1, 0)], ch[level], config.LayersPerBlock, tembChannels, g,
                config.Dropout, AttentionAt(level, ch[level]), addDownsample: level < levels - 1));
        midBlock = new UNetMidBlock2D(ch[^1], tembChannels, g, config.Dropout, Heads(ch[^1]));
        for (int i = 0; i < levels; i++)
        {
            int level = levels - 1 - i;   // up block i mirrors down block `level`
            upBlocks.append(new UpBlock2D(ch[Math.Max(level - 1, 0)], ch[Math.Min(level + 1, levels - 1)], ch[level],
                config.LayersPerBlock + 1, tembChannels, g, config.Dropout, AttentionAt(level, ch[level]), addUpsample: level > 0));
        }
        convNormOut = Normalization.GroupNorm(g, ch[0]);
        convOut = Conv.Conv2d(ch[0], config.OutChannels, 3, padding: 1);
        RegisterInDiffusersOrder();
    }

    /// <summary>
    /// Children are registered by hand, under diffusers' names. TorchSharp's default <c>RegisterComponents</c>
    /// (called on every module as it is registered) would register each field again under its C# name, so
    /// state_dict() would hold every such tensor twice; this network and its blocks turn it off.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>UNet2DModel.__init__ registers mid_block after up_blocks (it assigns None first).</summary>
    void RegisterInDiffusersOrder()
    {
        register_module("conv_in", convIn);
        register_module("time_embedding", timeEmbedding);
        register_module("down_blocks", downBlocks);
        register_module("up_blocks", upBlocks);
        register_module("mid_block", midBlock);
        register_module("conv_norm_out", convNormOut);
        register_module("conv_out", convOut);
    }

    static void Validate(UNet2dConfig c)
    {
        c.Validate();   // channels, GroupNorm groups, attention levels and heads (UNet2dConfig.Validate)
        if (c.Layout != UNetLayout.Diffusers)
            throw new ArgumentException($"DiffusersUNet2d builds Layout = Diffusers, got {c.Layout} (use TimeConditionedUNet.Create)");
        if (!c.TimeConditioned) throw new ArgumentException("DiffusersUNet2d is always time-conditioned (UNet2DModel); TimeConditioned must be true");
        if (c.Channels.Length == 0) throw new ArgumentException("DiffusersUNet2d needs at least one level (Channels is empty)");
        if (c.LayersPerBlock < 1) throw new ArgumentException($"DiffusersUNet2d needs LayersPerBlock ≥ 1, got {c.LayersPerBlock}");
        foreach (int level in c.AttentionLevels)
            if (level < 0 || level >= c.Channels.Length)
                throw new ArgumentException($"DiffusersUNet2d: attention level {level} is not one of the {c.Channels.Length} levels");
    }

    HeadLayout? AttentionAt(int level, int channels) => Config.AttentionLevels.Contains(level) ? Heads(channels) : null;

    /// <summary>diffusers: heads = channels // attention_head_dim (inner width heads·attention_head_dim).</summary>
    HeadLayout Heads(int channels)
    {
        int d = Config.AttentionHeadDim;
        if (d > 0) return new HeadLayout(channels / d, d);
        if (d < 0) throw new ArgumentException($"DiffusersUNet2d: AttentionHeadDim must be ≥ 0, got {d}");
        int heads = Config.AttentionHeads;
        if (heads < 1 || channels % heads != 0)
            throw new ArgumentException($"DiffusersUNet2d: {channels} channels cannot be split into {heads} attention heads");
        return new HeadLayout(heads, channels / heads);
    }

    /// <param name="x">[N, InChannels, H, W].</param>
    /// <param name="t">Timesteps [N] (or one timestep, [] or [1], for the whole batch), integer or float.</param>
    /// <returns>UNet2DModel's <c>.sample</c>, [N, OutChannels, H, W].</returns>
    public override Tensor forward(Tensor x, Tensor? t)
    {
        CheckInput(x, t);
        using var scope = torch.NewDisposeScope();
        var timesteps = t!.numel() == 1 ? t.reshape(1).expand(x.size(0)) : t;
        var sinusoid = TimestepEmbedding.Diffusers(timesteps, Config.Channels[0], flipSinToCos: true, downscaleFreqShift: 0);
        var temb = timeEmbedding.forward(sinusoid.to(x.dtype, x.device));   // a bf16 network (MixedPrecision) needs a bf16 embedding

        var h = convIn.forward(x);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var block in downBlocks) h = block.Forward(h, temb, skips);
        h = midBlock.forward(h, temb);
        foreach (var block in upBlocks) h = block.Forward(h, temb, skips);
        return convOut.forward(F.silu(convNormOut.forward(h))).MoveToOuterDisposeScope();
    }

    void CheckInput(Tensor x, Tensor? t)
    {
        int factor = 1 << (Config.Channels.Length - 1);
        if (x.ndim != 4 || x.size(1) != Config.InChannels || x.size(2) % factor != 0 || x.size(3) % factor != 0)
            throw new ArgumentException($"DiffusersUNet2d expects [N,{Config.InChannels},H,W] with H and W divisible by {factor}, got [{string.Join(", ", x.shape)}]");
        if (t is null) throw new ArgumentException("DiffusersUNet2d is time-conditioned: pass timesteps t [N]");
        if (t.numel() != 1 && (t.ndim != 1 || t.size(0) != x.size(0)))
            throw new ArgumentException($"DiffusersUNet2d expects timesteps [{x.size(0)}] (or one), got [{string.Join(", ", t.shape)}]");
    }
}
