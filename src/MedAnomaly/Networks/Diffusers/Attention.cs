using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks.Diffusers;

/// <summary>
/// diffusers' <c>Attention</c> as UNet2DModel's blocks build it (models/attention_processor.py, residual_connection,
/// processed as <c>AttnProcessor2_0</c> does): GroupNorm, then multi-head self-attention over the H·W positions
/// with linear to_q / to_k / to_v / to_out.0 (inner width heads·headDim), plus the input.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor>
{
    readonly GroupNorm groupNorm;
    readonly Linear toQ, toK, toV, toOutLinear;
    readonly ModuleList<Linear> toOut;
    readonly long heads, headDim;

    protected override void RegisterComponents() { }   // children are registered by hand, see DiffusersUNet2d

    public Attention(int channels, int heads, int headDim, int groups) : base(nameof(Attention))
    {
        if (heads < 1 || headDim < 1)
            throw new ArgumentException($"attention over {channels} channels needs at least one head of at least one channel, got {heads} × {headDim}");
        long inner = (long)heads * headDim;
        groupNorm = Normalization.GroupNorm(groups, channels);
        toQ = nn.Linear(channels, inner);
        toK = nn.Linear(channels, inner);
        toV = nn.Linear(channels, inner);
        toOutLinear = nn.Linear(inner, channels);
        toOut = new ModuleList<Linear>(toOutLinear);   // diffusers' to_out = [Linear, Dropout(0)]: only the Linear has weights
        (this.heads, this.headDim) = (heads, headDim);
        register_module("group_norm", groupNorm);
        register_module("to_q", toQ);
        register_module("to_k", toK);
        register_module("to_v", toV);
        register_module("to_out", toOut);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        var tokens = groupNorm.forward(x).view(n, c, h * w).transpose(1, 2);               // [N, HW, C]
        Tensor Heads(Linear projection) => projection.forward(tokens).view(n, -1, heads, headDim).transpose(1, 2);
        var attended = F.scaled_dot_product_attention(Heads(toQ), Heads(toK), Heads(toV));    // [N, heads, HW, headDim]
        var merged = attended.transpose(1, 2).reshape(n, h * w, heads * headDim);
        var output = toOutLinear.forward(merged).transpose(-1, -2).reshape(n, c, h, w);
        return (output + x).MoveToOuterDisposeScope();
    }
}
