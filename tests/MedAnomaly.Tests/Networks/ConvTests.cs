using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Tests.Networks;

/// <summary>
/// Convolutions made by <see cref="Conv.Conv2d"/> have correct gradients for every out-channel count, also when
/// the heap is full of NaN from freed tensors (libtorch 2.10's oneDNN reads uninitialised channel padding in the
/// input gradient of convolutions whose out_channels is not a multiple of 8/16; see Conv.cs).
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]   // seeds torch's global generator
public class ConvTests
{
    static void FillFreedMemoryWithNaN()
    {
        for (int i = 0; i < 4; i++) torch.full(16 * 16 * 32 * 32 << i, float.NaN).Dispose();
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 3)]
    [InlineData(8, 24)]
    [InlineData(1, 16)]
    [InlineData(24, 16)]
    [InlineData(8, 8)]
    public void GradientsMatchFloat64(int inChannels, int outChannels)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var conv = Conv.Conv2d(inChannels, outChannels, 3, padding: 1);
        var x = torch.rand(16, inChannels, 32, 32).requires_grad_();
        var weights = torch.rand(16, outChannels, 32, 32);
        for (int trial = 0; trial < 3; trial++)
        {
            FillFreedMemoryWithNaN();
            x.grad?.zero_();
            conv.zero_grad();
            (conv.forward(x) * weights).sum().backward();
            var (expectedX, expectedW) = Float64Gradients(conv, x.detach(), weights);
            Assert.True((x.grad!.to(float64) - expectedX).abs().max().item<double>() < 1e-4, $"input gradient wrong in trial {trial}");
            var weight = conv.parameters().First();
            Assert.True((weight.grad!.to(float64) - expectedW).abs().max().item<double>() < 1e-3 * expectedW.abs().max().item<double>(),
                $"weight gradient wrong in trial {trial}");
        }
    }

    [Fact]
    public void ForwardWithPaddedInputChannelsMatchesFloat64()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var conv = Conv.Conv2d(24, 16, 3, padding: 1);
        var x = torch.rand(2, 24, 16, 16);
        for (int trial = 0; trial < 3; trial++)
        {
            FillFreedMemoryWithNaN();
            var parameters = conv.parameters().ToArray();
            var expected = F.conv2d(x.to(float64), parameters[0].detach().to(float64), parameters[1].detach().to(float64), padding: [1, 1]);
            Assert.True((conv.forward(x).to(float64) - expected).abs().max().item<double>() < 1e-4, $"forward wrong in trial {trial}");
        }
    }

    static (Tensor dx, Tensor dw) Float64Gradients(nn.Module<Tensor, Tensor> conv, Tensor x, Tensor outputWeights)
    {
        var parameters = conv.parameters().ToArray();
        var w = parameters[0].detach().to(float64).requires_grad_();
        var b = parameters[1].detach().to(float64);
        var x64 = x.to(float64).requires_grad_();
        (F.conv2d(x64, w, b, padding: [1, 1]) * outputWeights.to(float64)).sum().backward();
        return (x64.grad!, w.grad!);
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(8, 3)]
    [InlineData(16, 16)]
    public void TransposedConvolutionGradientsMatchFloat64(int inChannels, int outChannels)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var conv = Conv.ConvTranspose2d(inChannels, outChannels, 4, stride: 2, padding: 1, bias: false);
        var x = torch.rand(8, inChannels, 16, 16).requires_grad_();
        var weights = torch.rand(8, outChannels, 32, 32);
        for (int trial = 0; trial < 3; trial++)
        {
            FillFreedMemoryWithNaN();
            x.grad?.zero_();
            conv.zero_grad();
            (conv.forward(x) * weights).sum().backward();
            var w = conv.parameters().First().detach().to(float64).requires_grad_();
            var x64 = x.detach().to(float64).requires_grad_();
            (F.conv_transpose2d(x64, w, strides: [2, 2], padding: [1, 1]) * weights.to(float64)).sum().backward();
            Assert.True((x.grad!.to(float64) - x64.grad!).abs().max().item<double>() < 1e-4, $"input gradient wrong in trial {trial}");
            var grad = conv.parameters().First().grad!.to(float64);
            Assert.True((grad - w.grad!).abs().max().item<double>() < 1e-3 * w.grad!.abs().max().item<double>(), $"weight gradient wrong in trial {trial}");
        }
    }

    [Fact]
    public void PaddedConvolutionHasTheParametersOfConv2d()
    {
        torch.manual_seed(5);
        using var plain = nn.Conv2d(32, 1, 3, padding: 1);
        torch.manual_seed(5);
        using var padded = Conv.Conv2d(32, 1, 3, padding: 1);
        Assert.IsType<PaddedConv2d>(padded);
        Assert.Equal(plain.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))),
                     padded.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))));
        Assert.Equal(plain.weight!.ToArray<float>(), padded.parameters().First().ToArray<float>());
        using var x = torch.rand(2, 32, 8, 8);
        Assert.True(plain.forward(x).allclose(padded.forward(x), rtol: 1e-5, atol: 1e-6));
    }

    /// <summary>The image-side layers (few channels) run as matrix products over unfolded patches: the layer type, seeded
    /// parameters equal to nn.Conv2d's, and forward and gradients against float64 PyTorch-semantics convolutions, with
    /// stride, padding, bias and a non-square input.</summary>
    [Theory]
    [InlineData(1, 16, 4, 2, 1)]
    [InlineData(3, 8, 3, 1, 1)]
    [InlineData(2, 24, 3, 2, 0)]
    public void UnfoldedConvolutionMatchesFloat64(int inChannels, int outChannels, int kernel, int stride, int padding)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var plain = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding);
        torch.manual_seed(7);
        var conv = Conv.Conv2d(inChannels, outChannels, kernel, stride, padding);
        Assert.IsType<UnfoldedConv2d>(conv);
        Assert.Equal(plain.weight!.ToArray<float>(), conv.parameters().First().ToArray<float>());
        var x = torch.rand(4, inChannels, 18, 14).requires_grad_();
        var (w, b) = (plain.weight!.detach().to(float64).requires_grad_(), plain.bias!.detach().to(float64).requires_grad_());
        var x64 = x.detach().to(float64).requires_grad_();
        var expected = F.conv2d(x64, w, b, strides: [stride, stride], padding: [padding, padding]);
        AssertForwardAndGradients(conv, x, x64, w, b, expected);
    }

    [Theory]
    [InlineData(16, 1, 4, 2, 1)]
    [InlineData(32, 3, 3, 1, 1)]
    [InlineData(8, 4, 3, 2, 0)]
    public void FoldedTransposedConvolutionMatchesFloat64(int inChannels, int outChannels, int kernel, int stride, int padding)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        using var plain = nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: padding);
        torch.manual_seed(8);
        var conv = Conv.ConvTranspose2d(inChannels, outChannels, kernel, stride, padding);
        Assert.IsType<FoldedConvTranspose2d>(conv);
        Assert.Equal(plain.weight!.ToArray<float>(), conv.parameters().First().ToArray<float>());
        var x = torch.rand(4, inChannels, 9, 7).requires_grad_();
        var (w, b) = (plain.weight!.detach().to(float64).requires_grad_(), plain.bias!.detach().to(float64).requires_grad_());
        var x64 = x.detach().to(float64).requires_grad_();
        var expected = F.conv_transpose2d(x64, w, b, strides: [stride, stride], padding: [padding, padding]);
        AssertForwardAndGradients(conv, x, x64, w, b, expected);
    }

    /// <summary>Twice (freed memory filled with NaN before each): the layer's output and its input, weight and bias
    /// gradients under a random weighting of the output, against the float64 reference's.</summary>
    static void AssertForwardAndGradients(nn.Module<Tensor, Tensor> conv, Tensor x, Tensor x64, Tensor w, Tensor b, Tensor expected)
    {
        var outputWeights = torch.rand(expected.shape, float64);
        (expected * outputWeights).sum().backward();
        for (int trial = 0; trial < 2; trial++)
        {
            FillFreedMemoryWithNaN();
            x.grad?.zero_();
            conv.zero_grad();
            var y = conv.forward(x);
            Assert.Equal(expected.shape, y.shape);
            Assert.True((y.to(float64) - expected).abs().max().item<double>() < 1e-5, $"forward wrong in trial {trial}");
            (y * outputWeights.to(float32)).sum().backward();
            AssertClose(x.grad!, x64.grad!, $"input gradient, trial {trial}");
            var parameters = conv.parameters().ToArray();
            AssertClose(parameters[0].grad!, w.grad!, $"weight gradient, trial {trial}");
            AssertClose(parameters[1].grad!, b.grad!, $"bias gradient, trial {trial}");
        }
    }

    static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        double error = (actual.to(float64) - expected).abs().max().item<double>(), scale = expected.abs().max().item<double>();
        Assert.True(error < 1e-5 * Math.Max(1, scale), $"{what}: largest difference {error} (largest value {scale})");
    }
}
