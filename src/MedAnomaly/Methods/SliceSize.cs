using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Methods;

/// <summary>
/// How a detector takes slices of any size: a fully convolutional network gets them zero-padded at the bottom and right
/// to the multiple its levels need (zero is background) and its output cropped back; a network with a fixed input (the
/// autoencoders' dense bottleneck) gets them resized, and its output resized back (bilinear).
/// </summary>
public static class SliceSize
{
    /// <summary><paramref name="f"/> applied to <paramref name="x"/> [N,C,H,W] padded to multiples of <paramref name="multiple"/>,
    /// its output cropped back to H×W.</summary>
    public static Tensor Padded(Func<Tensor, Tensor> f, Tensor x, int multiple)
    {
        long h = x.size(2), w = x.size(3);
        long ph = RoundUp(h, multiple), pw = RoundUp(w, multiple);
        if (ph == h && pw == w) return f(x);
        using var scope = torch.NewDisposeScope();
        var y = f(F.pad(x, [0, pw - w, 0, ph - h]));
        return y.narrow(2, 0, h).narrow(3, 0, w).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="x"/> [N,C,H,W] padded with zeros to multiples of <paramref name="multiple"/> (training batches).</summary>
    public static Tensor PadToMultiple(Tensor x, int multiple)
    {
        long h = x.size(2), w = x.size(3);
        long ph = RoundUp(h, multiple), pw = RoundUp(w, multiple);
        return ph == h && pw == w ? x.alias() : F.pad(x, [0, pw - w, 0, ph - h]);
    }

    /// <summary><paramref name="x"/> [N,C,H,W] resized to height × width (bilinear, PyTorch's align_corners=False); itself when it has that size.</summary>
    public static Tensor Resize(Tensor x, long height, long width) =>
        x.size(2) == height && x.size(3) == width ? x.alias() : F.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>The multiple of H and W a UNet with these levels needs: 2^(levels − 1).</summary>
    public static int UNetMultiple(Networks.UNet2dConfig network) => 1 << (network.Channels.Length - 1);

    static long RoundUp(long n, int multiple) => (n + multiple - 1) / multiple * multiple;
}
