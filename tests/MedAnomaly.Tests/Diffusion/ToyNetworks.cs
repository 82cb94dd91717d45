using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>The deterministic "networks" of tests/golden/make_diffusion_golden.py, implemented identically.</summary>
static class ToyNetworks
{
    public const int T = 1000;

    /// <summary>ε̂(x, t) = 0.1 x + 0.01 t/T, t [N] per image.</summary>
    public static Tensor Eps(Tensor x, Tensor t) => 0.1 * x + 0.01 * PerImage(t, x);

    /// <summary>x̂₀(x, t) = 0.9 x − 0.02 t/T, t [N] per image.</summary>
    public static Tensor X0(Tensor x, Tensor t) => 0.9 * x - 0.02 * PerImage(t, x);

    public static Tensor Eps(Tensor x, int t) => 0.1 * x + 0.01 * ((double)t / T);
    public static Tensor X0(Tensor x, int t) => 0.9 * x - 0.02 * ((double)t / T);

    static Tensor PerImage(Tensor t, Tensor x) => (t.to(x.dtype) / T).reshape(-1, 1, 1, 1);
}
