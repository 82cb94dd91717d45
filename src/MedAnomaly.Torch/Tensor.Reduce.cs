using static MedAnomaly.Torch.Native.NativeMethods;

namespace MedAnomaly.Torch;

// Reductions. An empty `dims` reduces over every dimension, as in PyTorch.
public sealed partial class Tensor
{
    public Tensor sum(long[]? dims = null, bool keepdim = false) => Wrap(mat_sum(H, dims ?? [], dims?.Length ?? 0, keepdim ? 1 : 0));
    public Tensor sum(long dim, bool keepdim = false) => sum([dim], keepdim);
    public Tensor mean(long[]? dims = null, bool keepdim = false) => Wrap(mat_mean(H, dims ?? [], dims?.Length ?? 0, keepdim ? 1 : 0));
    public Tensor mean(long dim, bool keepdim = false) => mean([dim], keepdim);
    public Tensor amax(long[]? dims = null, bool keepdim = false) => Wrap(mat_amax(H, dims ?? [], dims?.Length ?? 0, keepdim ? 1 : 0));
    public Tensor amax(long dim, bool keepdim = false) => amax([dim], keepdim);
    public Tensor amin(long[]? dims = null, bool keepdim = false) => Wrap(mat_amin(H, dims ?? [], dims?.Length ?? 0, keepdim ? 1 : 0));
    public Tensor amin(long dim, bool keepdim = false) => amin([dim], keepdim);
    /// <summary>Standard deviation; unbiased (Bessel's correction, N−1) by default as in PyTorch.</summary>
    public Tensor std(long[]? dims = null, bool unbiased = true, bool keepdim = false) =>
        Wrap(mat_std(H, dims ?? [], dims?.Length ?? 0, unbiased ? 1 : 0, keepdim ? 1 : 0));
    public Tensor var(long[]? dims = null, bool unbiased = true, bool keepdim = false) =>
        Wrap(mat_var(H, dims ?? [], dims?.Length ?? 0, unbiased ? 1 : 0, keepdim ? 1 : 0));
    /// <summary>Largest element (0-d). For the maximum along a dim use <see cref="amax(long, bool)"/>.</summary>
    public Tensor max() => Wrap(mat_max_all(H));
    public Tensor min() => Wrap(mat_min_all(H));
    /// <summary>Largest values along `dim` and where they are, as torch.max(x, dim, keepdim).</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false)
    {
        Status(mat_max_dim(H, dim, keepdim ? 1 : 0, out var values, out var indices));
        return (new Tensor(values), new Tensor(indices));
    }
    /// <summary>Smallest values along `dim` and where they are, as torch.min(x, dim, keepdim).</summary>
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false)
    {
        Status(mat_min_dim(H, dim, keepdim ? 1 : 0, out var values, out var indices));
        return (new Tensor(values), new Tensor(indices));
    }
    public Tensor argmax(long? dim = null, bool keepdim = false) => Wrap(mat_argmax(H, dim.HasValue ? 1 : 0, dim ?? 0, keepdim ? 1 : 0));
    public Tensor argmin(long? dim = null, bool keepdim = false) => Wrap(mat_argmin(H, dim.HasValue ? 1 : 0, dim ?? 0, keepdim ? 1 : 0));
    /// <summary>Quantiles q ∈ [0,1] (linear interpolation, as torch.quantile), over `dim` or all elements.</summary>
    public Tensor quantile(Tensor q, long? dim = null, bool keepdim = false) =>
        Wrap(mat_quantile(H, q.H, dim.HasValue ? 1 : 0, dim ?? 0, keepdim ? 1 : 0));
    public Tensor quantile(double q, long? dim = null, bool keepdim = false)
    {
        using var qt = torch.tensor(q, dtype: dtype, device: device);
        return quantile(qt, dim, keepdim);
    }
    /// <summary>The p-norm of all elements.</summary>
    public Tensor norm(double p = 2) => Wrap(mat_norm(H, p));
    public Tensor cumsum(long dim) => Wrap(mat_cumsum(H, dim));
    public Tensor all() => Wrap(mat_all(H));
    public Tensor any() => Wrap(mat_any(H));
}
