using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>
/// Gaussian-weighted sliding-window inference (MONAI's sliding_window_inference with mode "gaussian"; DISYRE applies
/// its 128×128-crop network to whole slices this way: window 128, stride 32, σ = 0.125·window). Every window's
/// output is weighted by w(i, j) = exp(−((i − c)² + (j − c)²)/(2σ²)), c = (window − 1)/2, w normalised to a maximum of
/// 1, and the overlapping outputs are averaged: y = Σ_k w·f(x_k) / Σ_k w. Window starts are 0, stride, 2·stride, …
/// and the last start is always size − window, so the border is covered. An image smaller than the window is
/// zero-padded at the bottom/right to the window and cropped back.
/// </summary>
public static class SlidingWindow
{
    /// <summary>DISYRE's σ as a fraction of the window.</summary>
    public const double DefaultSigmaScale = 0.125;

    /// <param name="f">[N,C,window,window] → [N,C',window,window]; called once per window.</param>
    /// <param name="x">[N,C,H,W].</param>
    /// <returns>[N,C',H,W], the weighted average of the windows' outputs.</returns>
    public static Tensor Apply(Func<Tensor, Tensor> f, Tensor x, int window, int stride, double sigmaScale = DefaultSigmaScale)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        if (x.ndim != 4) throw new ArgumentException($"SlidingWindow expects [N,C,H,W], got [{string.Join(", ", x.shape)}]", nameof(x));
        CheckSizes(window, stride, sigmaScale);
        using var scope = torch.NewDisposeScope();
        long h = x.size(2), w = x.size(3);
        long ph = Math.Max(h, window), pw = Math.Max(w, window);
        var padded = ph > h || pw > w ? torch.nn.functional.pad(x, [0, pw - w, 0, ph - h]) : x;
        var weights = Weights(window, sigmaScale).to(x.device).to(x.dtype);
        Tensor? sum = null;
        foreach (var top in Starts(ph, window, stride))
            foreach (var left in Starts(pw, window, stride))
            {
                var patch = padded.narrow(2, top, window).narrow(3, left, window);
                var output = f(patch);
                if (output.ndim != 4 || output.size(0) != x.size(0) || output.size(2) != window || output.size(3) != window)
                    throw new InvalidOperationException($"the window function must return [N={x.size(0)},C,{window},{window}], got [{string.Join(", ", output.shape)}]");
                sum ??= torch.zeros([x.size(0), output.size(1), ph, pw], output.dtype, x.device);
                sum.narrow(2, top, window).narrow(3, left, window).add_(output * weights.to(output.dtype));
            }
        var result = sum! / Coverage(ph, pw, window, stride, sigmaScale).to(x.device).to(sum!.dtype);
        return result.narrow(2, 0, h).narrow(3, 0, w).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The window weights [window, window] float32: a Gaussian with σ = sigmaScale·window centred on the window, maximum 1.</summary>
    public static Tensor Weights(int window, double sigmaScale = DefaultSigmaScale)
    {
        CheckSizes(window, 1, sigmaScale);
        using var scope = torch.NewDisposeScope();
        double sigma = sigmaScale * window, centre = (window - 1) / 2.0;
        var d2 = (torch.arange(window, ScalarType.Float64) - centre).square();
        var g = (-(d2.unsqueeze(1) + d2.unsqueeze(0)) / (2 * sigma * sigma)).exp();
        return (g / g.max()).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_k w over all windows at each pixel: [H, W] float32 (the denominator of <see cref="Apply"/>); H, W ≥ window.</summary>
    public static Tensor Coverage(long height, long width, int window, int stride, double sigmaScale = DefaultSigmaScale)
    {
        CheckSizes(window, stride, sigmaScale);
        if (height < window || width < window)
            throw new ArgumentException($"coverage needs an image at least as large as the window {window}, got {height}×{width}");
        using var scope = torch.NewDisposeScope();
        var weights = Weights(window, sigmaScale);
        var sum = torch.zeros([height, width], ScalarType.Float32);
        foreach (var top in Starts(height, window, stride))
            foreach (var left in Starts(width, window, stride))
                sum.narrow(0, top, window).narrow(1, left, window).add_(weights);
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>Window starts along one axis of <paramref name="size"/> ≥ window: 0, stride, … and size − window last.</summary>
    public static IReadOnlyList<long> Starts(long size, int window, int stride)
    {
        if (size < window) throw new ArgumentException($"the axis ({size}) must be at least the window ({window})");
        var starts = new List<long>();
        for (long s = 0; s + window <= size; s += stride) starts.Add(s);
        if (starts[^1] != size - window) starts.Add(size - window);
        return starts;
    }

    static void CheckSizes(int window, int stride, double sigmaScale)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "the window must be at least 1 pixel");
        if (stride < 1 || stride > window) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"the stride must lie in 1 … window ({window})");
        if (!(sigmaScale > 0) || double.IsInfinity(sigmaScale)) throw new ArgumentOutOfRangeException(nameof(sigmaScale), sigmaScale, "σ/window must be a finite number > 0");
    }
}
