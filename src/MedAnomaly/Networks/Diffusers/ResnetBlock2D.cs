using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks.Diffusers;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> (models/resnet.py) as UNet2DModel builds it (time_embedding_norm "default",
/// output_scale_factor 1): GN → SiLU → conv3 → + time_emb_proj(SiLU(temb)) → GN → SiLU → dropout → conv3,
/// plus the input (through a 1×1 conv_shortcut when the channel count changes).
/// </summary>
internal sealed class ResnetBlock2D : nn.Module<Tensor, Tensor, Tensor>
{
    readonly GroupNorm norm1, norm2;
    readonly nn.Module<Tensor, Tensor> conv1, conv2;
    readonly Linear timeEmbProj;
    readonly nn.Module<Tensor, Tensor>? convShortcut;
    readonly double dropout;

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public ResnetBlock2D(int inChannels, int outChannels, int tembChannels, int groups, double dropout) : base(nameof(ResnetBlock2D))
    {
        // Made in diffusers' order, so a seeded network draws diffusers' initial weights.
        norm1 = Normalization.GroupNorm(groups, inChannels);
        conv1 = Conv.Conv2d(inChannels, outChannels, 3, padding: 1);
        timeEmbProj = nn.Linear(tembChannels, outChannels);
        norm2 = Normalization.GroupNorm(groups, outChannels);
        conv2 = Conv.Conv2d(outChannels, outChannels, 3, padding: 1);
        if (inChannels != outChannels) convShortcut = Conv.Conv2d(inChannels, outChannels, 1);
        this.dropout = dropout;
        register_module("norm1", norm1);
        register_module("conv1", conv1);
        register_module("time_emb_proj", timeEmbProj);
        register_module("norm2", norm2);
        register_module("conv2", conv2);
        if (convShortcut is not null) register_module("conv_shortcut", convShortcut);
    }

    /// <param name="x">[N, in, H, W].</param>
    /// <param name="temb">[N, tembChannels], the output of the time embedding MLP.</param>
    public override Tensor forward(Tensor x, Tensor temb)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.forward(F.silu(norm1.forward(x)));
        h = h + timeEmbProj.forward(F.silu(temb)).unsqueeze(-1).unsqueeze(-1);
        h = F.silu(norm2.forward(h));
        if (dropout > 0) h = F.dropout(h, dropout, training);
        h = conv2.forward(h);
        var result = (convShortcut is null ? x : convShortcut.forward(x)) + h;
        return result.MoveToOuterDisposeScope();
    }
}
