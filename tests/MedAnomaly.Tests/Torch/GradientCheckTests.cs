using MedAnomaly.Torch;
using static MedAnomaly.Tests.Torch.Golden;
using F = MedAnomaly.Torch.torch.nn.functional;

namespace MedAnomaly.Tests.Torch;

/// <summary>Autograd gradients against central finite differences (float64), independent of PyTorch.</summary>
public class GradientCheckTests
{
    /// <summary>Checks d(sum(f(x)·w))/dx against (L(x+h) − L(x−h)) / 2h for every element of every input.</summary>
    static void CheckGradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        var (_, analytic) = GradsOf(f, inputs);
        const double h = 1e-6;
        for (int k = 0; k < inputs.Length; k++)
        {
            var values = inputs[k].ToArray<double>();
            var expected = analytic[k].ToArray<double>();
            for (int i = 0; i < values.Length; i++)
            {
                double Loss(double delta)
                {
                    using var inner = torch.NewDisposeScope();
                    var perturbed = (double[])values.Clone();
                    perturbed[i] += delta;
                    var args = inputs.Select((x, j) => j == k ? torch.tensor(perturbed, x.shape) : x).ToArray();
                    var output = f(args);
                    return (output * Wave(output.shape, 0.3, 0.1)).sum().item<double>();
                }
                double numeric = (Loss(h) - Loss(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - expected[i]) < 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"input {k} element {i}: autograd {expected[i]:R}, finite difference {numeric:R}");
            }
        }
    }

    [Fact]
    public void Conv2d() => CheckGradients(a => F.conv2d(a[0], a[1], a[2], stride: 2, padding: 1),
        Wave([1, 2, 4, 4], 0.37, 0.0), Wave([3, 2, 3, 3], 0.91, 0.5), Wave([3], 1.3, 0.2));

    [Fact]
    public void ConvTranspose2d() => CheckGradients(a => F.conv_transpose2d(a[0], a[1], a[2], stride: 2, padding: 1),
        Wave([1, 2, 3, 3], 0.23, 0.4), Wave([2, 2, 4, 4], 0.57, 0.1), Wave([2], 0.8, 0.3));

    [Fact]
    public void GroupNormAndSilu() => CheckGradients(a => F.silu(F.group_norm(a[0], 2, a[1], a[2])),
        Wave([2, 4, 3, 3], 0.41, 0.7) * 3, Wave([4], 0.9, 1.1), Wave([4], 0.6, 0.2));

    [Fact]
    public void Attention() => CheckGradients(a => F.scaled_dot_product_attention(a[0], a[1], a[2]),
        Wave([1, 2, 3, 4], 0.31, 0.0), Wave([1, 2, 5, 4], 0.47, 0.3), Wave([1, 2, 5, 4], 0.73, 0.9));

    [Fact]
    public void InterpolateAndPool() => CheckGradients(a => F.avg_pool2d(F.interpolate(a[0], scale_factor: 2,
            mode: F.InterpolateMode.Bilinear), 3, stride: 2, padding: 1),
        Wave([1, 2, 3, 3], 0.29, 0.1));
}
