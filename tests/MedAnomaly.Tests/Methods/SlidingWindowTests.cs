using MedAnomaly.Methods;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Methods;

public class SlidingWindowTests
{
    [Fact]
    public void ConstantFunctionGivesTheConstantBack()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([2, 1, 100, 90], generator: new Generator(3));
        var y = SlidingWindow.Apply(p => torch.full_like(p, 0.37f), x, window: 32, stride: 16);
        Assert.Equal(new long[] { 2, 1, 100, 90 }, y.shape);
        Assert.True((y - 0.37f).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void IdentityGivesTheImageBackAndEveryPixelIsCovered()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([1, 2, 80, 72], generator: new Generator(4));
        int calls = 0;
        var y = SlidingWindow.Apply(p => { calls++; Assert.Equal(new long[] { 1, 2, 32, 32 }, p.shape); return p * 1; }, x, 32, 16);
        Assert.True((y - x).abs().max().item<float>() < 1e-5f);
        Assert.Equal(SlidingWindow.Starts(80, 32, 16).Count * SlidingWindow.Starts(72, 32, 16).Count, calls);
    }

    [Fact]
    public void StartsEndFlushWithTheBorder()
    {

        Assert.Equal(new long[] { 0, 32, 64, 72 }, SlidingWindow.Starts(200, 128, 32));
        Assert.Equal(new long[] { 0, 32, 64, 96, 112 }, SlidingWindow.Starts(240, 128, 32));
        Assert.Equal(new long[] { 0 }, SlidingWindow.Starts(128, 128, 32));
    }

    [Fact]
    public void WeightsAreTheGaussianWithSigmaAnEighthOfTheWindow()
    {
        using var scope = torch.NewDisposeScope();
        var w = SlidingWindow.Weights(16).ToArray<float>();
        double sigma = 2.0, c = 7.5;
        for (int i = 0; i < 16; i += 5)
            for (int j = 0; j < 16; j += 3)
            {
                double expected = Math.Exp(-((i - c) * (i - c) + (j - c) * (j - c)) / (2 * sigma * sigma)) / Math.Exp(-(0.25 + 0.25) / (2 * sigma * sigma));
                Assert.Equal(expected, w[i * 16 + j], 5);
            }
    }

    [Fact]
    public void CoverageSumsTheWeightsOfTheWindowsOverAPixel()
    {
        using var scope = torch.NewDisposeScope();
        // 48×40 image, window 32, stride 16: rows start 0, 16; columns 0, 8 (flush with the border).
        var w = SlidingWindow.Weights(32).ToArray<float>();
        float W(int i, int j) => w[i * 32 + j];
        var cov = SlidingWindow.Coverage(48, 40, 32, 16).ToArray<float>();
        float At(int r, int c) => cov[r * 40 + c];
        Assert.Equal(W(0, 0), At(0, 0), 6);                                   // corner: one window
        Assert.Equal(W(0, 39 - 8), At(0, 39), 6);                             // top-right: the window starting at column 8
        Assert.Equal(W(20, 3) + W(4, 3), At(20, 3), 6);                       // rows 0 and 16 cover row 20
        Assert.Equal(W(20, 10) + W(20, 2) + W(4, 10) + W(4, 2), At(20, 10), 6); // four windows
    }

    [Fact]
    public void SmallImagesArePaddedToTheWindow()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([1, 1, 20, 50], generator: new Generator(5));
        var y = SlidingWindow.Apply(p => { Assert.Equal(32, p.size(2)); return p + 1; }, x, 32, 16);
        Assert.Equal(new long[] { 1, 1, 20, 50 }, y.shape);
        Assert.True((y - x - 1).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros([1, 1, 40, 40]);
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindow.Apply(p => p, x, 32, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindow.Apply(p => p, x, 32, 33));
        Assert.Throws<ArgumentException>(() => SlidingWindow.Apply(p => p, torch.zeros([40, 40]), 32, 16));
        Assert.Throws<InvalidOperationException>(() => SlidingWindow.Apply(p => p[.., .., ..16, ..], x, 32, 16));
    }
}
