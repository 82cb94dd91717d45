using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>
/// The encoder that <see cref="UNet2d"/> and <see cref="EncoderClassifier"/> share (Ho et al. 2020's layout): the time
/// MLP and embedding, the down path (per level LayersPerBlock residual blocks, attention where configured, then a strided
/// convolution) with the channels of its skips, and the attention heads of a layer. Modules are created in the PyTorch
/// twin's order, so a seeded initialisation is the same in both networks.
/// </summary>
public static class Ho2020Encoder
{
    /// <summary>Width of the time embedding: 4 × the first level's channels (0 when not time-conditioned).</summary>
    public static long TimeDim(UNet2dConfig config) => config.TimeConditioned ? config.Channels[0] * 4 : 0;

    /// <summary>Linear → SiLU → Linear on the sinusoidal embedding; null when not time-conditioned.</summary>
    public static Sequential? TimeMlp(UNet2dConfig config)
    {
        long timeDim = TimeDim(config);
        return config.TimeConditioned ? nn.Sequential(nn.Linear(config.Channels[0], timeDim), nn.SiLU(), nn.Linear(timeDim, timeDim)) : null;
    }

    /// <summary>The time embedding of <paramref name="t"/> in <paramref name="x"/>'s dtype (a bf16 network needs a bf16
    /// embedding); null when <paramref name="timeMlp"/> is.</summary>
    public static Tensor? Embedding(Sequential? timeMlp, UNet2dConfig config, Tensor? t, Tensor x, string network)
    {
        if (timeMlp is null) return null;
        if (t is null) throw new ArgumentException($"this {network} is time-conditioned: pass timesteps t [N]");
        return timeMlp.forward(TimestepEmbedding.Sinusoidal(t, config.Channels[0]).to(x.dtype));
    }

    /// <summary>The down path, and the channels of each skip it leaves (conv_in's first, then each residual block's,
    /// after its attention, and each downsampling's), for a decoder to consume in reverse.</summary>
    public static (ModuleList<nn.Module> Down, List<int> SkipChannels) DownPath(UNet2dConfig config)
    {
        var ch = config.Channels;
        int levels = ch.Length, g = config.GroupNormGroups;
        long timeDim = TimeDim(config);
        var down = new ModuleList<nn.Module>();
        var skipChannels = new List<int> { ch[0] };
        int current = ch[0];
        for (int level = 0; level < levels; level++)
        {
            for (int i = 0; i < config.LayersPerBlock; i++)
            {
                down.append(new ResidualBlock(current, ch[level], timeDim, g, config.Dropout));
                current = ch[level];
                if (config.AttentionLevels.Contains(level)) down.append(new SelfAttention(current, g, HeadsAt(config, current)));
                skipChannels.Add(current);
            }
            if (level < levels - 1)
            {
                down.append(new Downsample(current));
                skipChannels.Add(current);
            }
        }
        return (down, skipChannels);
    }

    /// <summary>Attention heads of a layer with <paramref name="channels"/> channels.</summary>
    public static int HeadsAt(UNet2dConfig config, int channels)
    {
        int d = config.AttentionHeadDim;
        if (d == 0) return config.AttentionHeads;
        if (d < 0 || channels % d != 0)
            throw new ArgumentException($"UNet2d: AttentionHeadDim {d} must divide the {channels} channels of every attention layer");
        return channels / d;
    }

    /// <summary>One layer of a down or up path; a residual block takes <paramref name="skip"/> concatenated to its input.</summary>
    public static Tensor Apply(nn.Module layer, Tensor h, Tensor? emb, Tensor? skip = null) => layer switch
    {
        ResidualBlock block => block.forward(skip is null ? h : torch.cat([h, skip], dim: 1), emb),
        SelfAttention attention => attention.forward(h),
        nn.Module<Tensor, Tensor> resample => resample.forward(h),
        _ => throw new InvalidOperationException($"unexpected layer {layer.GetType().Name}"),
    };
}
