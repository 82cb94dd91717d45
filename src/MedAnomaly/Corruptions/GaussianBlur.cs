using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Separable Gaussian blur of the last two dimensions, equal to <c>scipy.ndimage.gaussian_filter(x, sigma,
/// mode="reflect", truncate=4.0)</c> on each [H,W] plane — the blur DISYRE applies to its anomaly masks
/// (batchgenerators' augment_gaussian_blur). "reflect" repeats the edge pixel (d c b a | a b c d | d c b a).
/// </summary>
public static class GaussianBlur
{
    /// <param name="x">[..., H, W] floating tensor.</param>
    /// <param name="sigma">Standard deviation in pixels (≥ 0); kernel radius = ⌊truncate·σ + 0.5⌋ as in SciPy.</param>
    /// <returns>A new tensor of x's shape and dtype (computed in float64).</returns>
    public static Tensor Apply(Tensor x, double sigma, double truncate = 4.0)
    {
        if (!(sigma >= 0) || double.IsInfinity(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "expected a finite σ ≥ 0");
        if (x.ndim < 2) throw new ArgumentException($"GaussianBlur expects [..., H, W], got [{string.Join(", ", x.shape)}]");
        int radius = (int)(truncate * sigma + 0.5);
        if (sigma <= 1e-15 || radius == 0) return x.clone(); // SciPy skips such axes; a 1-tap kernel is the identity
        using var scope = torch.NewDisposeScope();
        var kernel = Kernel(sigma, radius, x.device);
        var rows = AlongLastDim(x.to(ScalarType.Float64), kernel, radius);
        var both = AlongLastDim(rows.transpose(-1, -2), kernel, radius).transpose(-1, -2);
        return both.to(x.dtype).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>SciPy's _gaussian_kernel1d: exp(−k²/2σ²) for k = −r…r, normalised to sum 1. [2r+1] float64.</summary>
    public static Tensor Kernel(double sigma, int radius, Device? device = null)
    {
        var k = torch.arange(-radius, radius + 1, ScalarType.Float64, device: device);
        var phi = (-0.5 / (sigma * sigma) * k * k).exp();
        return phi / phi.sum();
    }

    /// <summary>Correlates the last dimension with the kernel after symmetric ("reflect") padding by r.</summary>
    static Tensor AlongLastDim(Tensor x, Tensor kernel, int radius)
    {
        var shape = x.shape;
        long length = shape[^1];
        var lines = x.reshape(-1, 1, length);
        var padded = lines.index_select(2, ReflectIndices(length, radius, x.device));
        var output = F.conv1d(padded, kernel.view(1, 1, -1));
        return output.reshape(shape);
    }

    /// <summary>Source index of each padded position −r … L+r−1 under half-sample symmetric reflection (any r).</summary>
    static Tensor ReflectIndices(long length, int radius, Device device)
    {
        var p = torch.arange(-radius, length + radius, ScalarType.Int64, device: device).remainder(2 * length);
        return torch.where(p.lt(length), p, 2 * length - 1 - p);
    }
}
