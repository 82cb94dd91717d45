using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.TestSupport;

/// <summary>Helpers shared by the tests that compare with values computed by PyTorch (TorchGolden.g.cs).</summary>
internal static class Golden
{
    /// <summary>sin(a·i + b) for i = 0..numel−1, reshaped — the same inputs make_torch_golden.py builds.</summary>
    public static Tensor Wave(long[] shape, double a, double b, ScalarType dtype = ScalarType.Float64)
    {
        long n = shape.Aggregate(1L, (p, s) => p * s);
        var values = new double[n];
        for (long i = 0; i < n; i++) values[i] = Math.Sin(a * i + b);
        return torch.tensor(values, shape).to(dtype);
    }

    /// <summary>|expected − actual| ≤ tol · max(1, |expected|) element-wise.</summary>
    public static void AssertClose(double[] expected, double[] actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    public static void AssertClose(double[] expected, Tensor actual, double rtol = 1e-10, double atol = 1e-12)
    {
        var got = actual.to(ScalarType.Float64).ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
            if (Math.Abs(got[i] - expected[i]) > atol + rtol * Math.Abs(expected[i]))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {got[i]:R}");
    }

    /// <summary>Output and gradients of sum(out · wave(out.shape, 0.3, 0.1)) with respect to each input.</summary>
    public static (Tensor Out, Tensor[] Grads) GradsOf(Func<Tensor[], Tensor> fn, params Tensor[] inputs)
    {
        var leaves = inputs.Select(x => x.detach().requires_grad_(true)).ToArray();
        var output = fn(leaves);
        (output * Wave(output.shape, 0.3, 0.1, output.dtype)).sum().backward();
        return (output, leaves.Select(l => l.grad!).ToArray());
    }
}
