using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>Which UNet a <see cref="UNet2dConfig"/> builds (see <see cref="TimeConditionedUNet.Create"/>).</summary>
public enum UNetLayout
{
    /// <summary><see cref="UNet2d"/>: Ho et al. 2020's DDPM UNet.</summary>
    Ho2020,
    /// <summary><see cref="DiffusersUNet2d"/>: diffusers' <c>UNet2DModel</c> (the network DISYRE trains).</summary>
    Diffusers,
}

/// <summary>
/// Configuration of <see cref="UNet2d"/> and <see cref="DiffusersUNet2d"/>. Defaults give the small reference UNet
/// of the benchmarks (base 32 channels, two down/up levels, attention at the lowest). DISYRE uses
/// Channels = [32, 64, 96, 128, 256, 256], LayersPerBlock = 2, attention at the deepest levels
/// (<see cref="DiffusersUNet2d.DisyreConfig"/> is exactly its diffusers network).
/// </summary>
public sealed record UNet2dConfig
{
    public UNetLayout Layout { get; init; } = UNetLayout.Ho2020;
    public int InChannels { get; init; } = 1;
    public int OutChannels { get; init; } = 1;
    /// <summary>Channels per resolution level; level i works at H/2^i.</summary>
    public int[] Channels { get; init; } = [32, 64, 128];
    public int LayersPerBlock { get; init; } = 1;
    /// <summary>Levels (indices into Channels) with self-attention after each residual block.</summary>
    public int[] AttentionLevels { get; init; } = [2];
    public int GroupNormGroups { get; init; } = 8;
    /// <summary>Number of attention heads; used when <see cref="AttentionHeadDim"/> is 0.</summary>
    public int AttentionHeads { get; init; } = 1;
    /// <summary>Channels per attention head (diffusers' attention_head_dim): heads = channels / AttentionHeadDim.
    /// 0: <see cref="AttentionHeads"/> heads at every level.</summary>
    public int AttentionHeadDim { get; init; }
    public double Dropout { get; init; } = 0;
    /// <summary>Whether the network is conditioned on a timestep (diffusion) or not (autoencoders, DAE).</summary>
    public bool TimeConditioned { get; init; } = true;
    /// <summary>Start the last convolution of every residual block, every attention projection and the output convolution at
    /// zero, as guided diffusion's <c>zero_module</c> does (Dhariwal &amp; Nichol 2021; AnoDDPM's UNet.py): the untrained
    /// network is the identity on its skips and predicts ε = 0. Ho2020 layout only.</summary>
    public bool ZeroInitOutputs { get; init; }

    /// <summary>Checks every field before a network is built (the <see cref="UNet2d"/> and <see cref="DiffusersUNet2d"/>
    /// constructors call it): GroupNorm needs <see cref="GroupNormGroups"/> to divide every channel count, attention needs
    /// its heads to fit the channels of its levels and of the middle block.</summary>
    /// <exception cref="ArgumentException">The first bad field, its value and what was expected.</exception>
    public void Validate()
    {
        const string type = nameof(UNet2dConfig);
        int[] ch = Channels ?? [], attention = AttentionLevels ?? [];
        NetworkChecks.Require(Enum.IsDefined(Layout), type, nameof(Layout), Layout, "Ho2020 or Diffusers");
        string channels = $"Channels = [{string.Join(", ", ch)}]";
        NetworkChecks.Require(InChannels >= 1, type, nameof(InChannels), InChannels, "at least 1");
        NetworkChecks.Require(OutChannels >= 1, type, nameof(OutChannels), OutChannels, "at least 1");
        NetworkChecks.Require(ch.Length > 0, type, nameof(Channels), "[]", "one channel count per resolution level, e.g. [32, 64, 128]");
        NetworkChecks.Require(ch.All(c => c >= 1), type, nameof(Channels), channels, "positive channel counts");
        NetworkChecks.Require(LayersPerBlock >= 1, type, nameof(LayersPerBlock), LayersPerBlock, "at least 1");
        NetworkChecks.Require(attention.All(l => l >= 0 && l < ch.Length), type, nameof(AttentionLevels),
            $"[{string.Join(", ", attention)}]", $"level indices in [0, {ch.Length - 1}] (one per entry of {channels})");
        NetworkChecks.Require(GroupNormGroups >= 1 && ch.All(c => c % GroupNormGroups == 0), type, nameof(GroupNormGroups), GroupNormGroups,
            $"a divisor of every channel count ({channels}): {NetworkChecks.CommonDivisors(ch)}");
        var attended = attention.Select(l => ch[l]).Append(ch[^1]).Distinct().ToArray();   // + the middle block's attention
        NetworkChecks.Require(AttentionHeadDim >= 0, type, nameof(AttentionHeadDim), AttentionHeadDim, "channels per head ≥ 0 (0: AttentionHeads heads)");
        if (AttentionHeadDim == 0)
            NetworkChecks.Require(AttentionHeads >= 1 && attended.All(c => c % AttentionHeads == 0), type, nameof(AttentionHeads), AttentionHeads,
                $"a divisor of the channels of every attention layer ({string.Join(", ", attended)}): {NetworkChecks.CommonDivisors(attended)}");
        else if (Layout == UNetLayout.Ho2020)
            NetworkChecks.Require(attended.All(c => c % AttentionHeadDim == 0), type, nameof(AttentionHeadDim), AttentionHeadDim,
                $"a divisor of the channels of every attention layer ({string.Join(", ", attended)}): {NetworkChecks.CommonDivisors(attended)}");
        else
            NetworkChecks.Require(attended.All(c => c >= AttentionHeadDim), type, nameof(AttentionHeadDim), AttentionHeadDim,
                $"at most the channels of every attention layer ({string.Join(", ", attended)}), so each has a head");
        NetworkChecks.Require(Dropout is >= 0 and < 1, type, nameof(Dropout), Dropout, "a probability in [0, 1)");
        NetworkChecks.Require(!ZeroInitOutputs || Layout == UNetLayout.Ho2020, type, nameof(ZeroInitOutputs), ZeroInitOutputs,
            "false for the Diffusers layout (diffusers' UNet2DModel initialises none of its layers at zero)");
    }
}

/// <summary>
/// A diffusion UNet in the style of Ho et al. 2020 (DDPM, appendix B) / Nichol &amp; Dhariwal 2021:
/// residual blocks with GroupNorm + SiLU and an additive timestep embedding, self-attention at low
/// resolution, strided-conv downsampling, nearest-neighbour upsampling + conv, skip connections.
/// forward(x [N,Cin,H,W], t [N]) → [N,Cout,H,W]; H and W divisible by 2^(levels−1).
/// </summary>
public sealed class UNet2d : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>Children are registered by hand under the PyTorch twin's names; TorchSharp's default would register them a
    /// second time under their field names (duplicate state_dict entries).</summary>
    protected override void RegisterComponents() { }

    public UNet2dConfig Config { get; }
    readonly Sequential? timeMlp;
    readonly nn.Module<Tensor, Tensor> convIn;
    readonly ModuleList<nn.Module> down;
    readonly ResidualBlock mid1, mid2;
    readonly SelfAttention midAttention;
    readonly ModuleList<nn.Module> up;
    readonly GroupNorm normOut;
    readonly nn.Module<Tensor, Tensor> convOut;
    readonly int levels;
    readonly long timeDim;

    public UNet2d(UNet2dConfig? config = null) : base(nameof(UNet2d))
    {
        Config = config ?? new UNet2dConfig();
        if (Config.Layout != UNetLayout.Ho2020)
            throw new ArgumentException($"UNet2d builds Layout = Ho2020, got {Config.Layout} (use TimeConditionedUNet.Create)");
        Config.Validate();
        var ch = Config.Channels;
        levels = ch.Length;
        int g = Config.GroupNormGroups;
        timeDim = Ho2020Encoder.TimeDim(Config);
        timeMlp = Ho2020Encoder.TimeMlp(Config);
        convIn = Conv.Conv2d(Config.InChannels, ch[0], 3, padding: 1);
        (down, var skipChannels) = Ho2020Encoder.DownPath(Config);
        int current = ch[^1];

        mid1 = new ResidualBlock(current, current, timeDim, g, Config.Dropout);
        midAttention = new SelfAttention(current, g, HeadsAt(current));
        mid2 = new ResidualBlock(current, current, timeDim, g, Config.Dropout);

        // Decoder: per level LayersPerBlock + 1 residual blocks, each taking one skip, then upsampling.
        up = new ModuleList<nn.Module>();
        for (int level = levels - 1; level >= 0; level--)
        {
            for (int i = 0; i < Config.LayersPerBlock + 1; i++)
            {
                int skip = skipChannels[^1];
                skipChannels.RemoveAt(skipChannels.Count - 1);
                up.append(new ResidualBlock(current + skip, ch[level], timeDim, g, Config.Dropout));
                current = ch[level];
                if (Config.AttentionLevels.Contains(level)) up.append(new SelfAttention(current, g, HeadsAt(current)));
            }
            if (level > 0) up.append(new Upsample(current));
        }

        normOut = Normalization.GroupNorm(g, current);
        convOut = Conv.Conv2d(current, Config.OutChannels, 3, padding: 1);
        RegisterInPyTorchOrder();
        if (Config.ZeroInitOutputs) ZeroOutputLayers();
    }

    /// <summary><see cref="UNet2dConfig.ZeroInitOutputs"/>: after the seeded initialisation, so every other weight is unchanged.</summary>
    void ZeroOutputLayers()
    {
        var outputs = modules().Select(m => m switch { ResidualBlock b => b.OutputLayer, SelfAttention a => a.OutputLayer, _ => null })
                               .OfType<nn.Module>().Append(convOut);
        using var _ = torch.no_grad();
        foreach (var parameter in outputs.SelectMany(m => m.parameters())) parameter.zero_();
    }

    int HeadsAt(int channels) => Ho2020Encoder.HeadsAt(Config, channels);

    /// <summary>
    /// Registers the children under the PyTorch twin's names, in its order (so parameter names and seeded
    /// initialisation match). The module lists are registered only now that they are filled: TorchSharp does
    /// not register children appended to a list after the list itself was registered.
    /// </summary>
    void RegisterInPyTorchOrder()
    {
        if (timeMlp is not null) register_module("time_mlp", timeMlp);
        register_module("conv_in", convIn);
        register_module("down", down);
        register_module("mid_block1", mid1);
        register_module("mid_attn", midAttention);
        register_module("mid_block2", mid2);
        register_module("up", up);
        register_module("norm_out", normOut);
        register_module("conv_out", convOut);
    }

    /// <param name="x">[N, InChannels, H, W].</param>
    /// <param name="t">[N] timesteps (ignored / may be null when not time-conditioned).</param>
    public override Tensor forward(Tensor x, Tensor? t)
    {
        int factor = 1 << (levels - 1);
        if (x.ndim != 4 || x.size(1) != Config.InChannels || x.size(2) % factor != 0 || x.size(3) % factor != 0)
            throw new ArgumentException($"UNet2d expects [N,{Config.InChannels},H,W] with H and W divisible by {factor}, got [{string.Join(", ", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        var emb = Ho2020Encoder.Embedding(timeMlp, Config, t, x, nameof(UNet2d));

        var h = convIn.forward(x);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var layer in down)
        {
            h = Ho2020Encoder.Apply(layer, h, emb);
            if (layer is not SelfAttention) skips.Push(h);
            else { skips.Pop(); skips.Push(h); }
        }
        h = mid2.forward(midAttention.forward(mid1.forward(h, emb)), emb);
        foreach (var layer in up)
            h = Ho2020Encoder.Apply(layer, h, emb, layer is ResidualBlock ? skips.Pop() : null);
        h = convOut.forward(F.silu(normOut.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>GN → SiLU → conv3 → (+ time embedding) → GN → SiLU → dropout → conv3, plus a (1×1) skip.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    /// <summary>Children are registered by hand under the PyTorch twin's names; TorchSharp's default would register them a
    /// second time under their field names (duplicate state_dict entries).</summary>
    protected override void RegisterComponents() { }

    readonly GroupNorm norm1, norm2;
    readonly nn.Module<Tensor, Tensor> conv1, conv2;
    readonly Linear? timeProjection;
    readonly nn.Module<Tensor, Tensor>? skip;
    readonly double dropout;

    public ResidualBlock(int inChannels, int outChannels, long timeDim, int groups, double dropout) : base(nameof(ResidualBlock))
    {
        norm1 = Register("norm1", Normalization.GroupNorm(groups, inChannels));
        conv1 = Register("conv1", Conv.Conv2d(inChannels, outChannels, 3, padding: 1));
        if (timeDim > 0) timeProjection = Register("time_proj", nn.Linear(timeDim, outChannels));
        norm2 = Register("norm2", Normalization.GroupNorm(groups, outChannels));
        conv2 = Register("conv2", Conv.Conv2d(outChannels, outChannels, 3, padding: 1));
        if (inChannels != outChannels) skip = Register("skip", Conv.Conv2d(inChannels, outChannels, 1));
        this.dropout = dropout;
    }

    /// <summary>The block's last convolution (guided diffusion's zero-initialised layer).</summary>
    public nn.Module OutputLayer => conv2;

    T Register<T>(string name, T module) where T : nn.Module
    {
        register_module(name, module);
        return module;
    }

    public override Tensor forward(Tensor x, Tensor? emb)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.forward(F.silu(norm1.forward(x)));
        if (timeProjection is not null && emb is not null)
            h = h + timeProjection.forward(F.silu(emb)).unsqueeze(-1).unsqueeze(-1);
        h = F.silu(norm2.forward(h));
        if (dropout > 0) h = F.dropout(h, dropout, training);
        h = conv2.forward(h);
        var result = h + (skip is null ? x : skip.forward(x));
        return result.MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head self-attention over the H·W positions with a residual connection.</summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    /// <summary>Children are registered by hand under the PyTorch twin's names; TorchSharp's default would register them a
    /// second time under their field names (duplicate state_dict entries).</summary>
    protected override void RegisterComponents() { }

    readonly GroupNorm norm;
    readonly nn.Module<Tensor, Tensor> qkv, projection;
    readonly int heads;

    public SelfAttention(int channels, int groups, int heads) : base(nameof(SelfAttention))
    {
        if (channels % heads != 0) throw new ArgumentException($"{channels} channels cannot be split into {heads} heads");
        norm = Normalization.GroupNorm(groups, channels);
        qkv = Conv.Conv2d(channels, channels * 3, 1);
        projection = Conv.Conv2d(channels, channels, 1);
        this.heads = heads;
        register_module("norm", norm);
        register_module("qkv", qkv);
        register_module("proj", projection);
    }

    /// <summary>The output projection (guided diffusion's zero-initialised layer).</summary>
    public nn.Module OutputLayer => projection;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        // [N, 3C, H, W] → 3 × [N, heads, HW, C/heads]
        var parts = qkv.forward(norm.forward(x)).reshape(n, 3, heads, c / heads, h * w).permute(1, 0, 2, 4, 3);
        var attended = F.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
        var merged = attended.permute(0, 1, 3, 2).reshape(n, c, h, w);
        return (x + projection.forward(merged)).MoveToOuterDisposeScope();
    }
}
