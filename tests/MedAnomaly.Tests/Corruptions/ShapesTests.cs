using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>DISYRE's anomaly shapes: exact geometry, sampling ranges and probabilities, determinism.</summary>
public class ShapesTests
{
    static double Area(Tensor mask) => mask.to(ScalarType.Float64).sum().item<double>();

    /// <summary>Orientation (degrees, x right, y down) of the principal axis of a binary mask's pixels.</summary>
    static double Orientation(Tensor mask)
    {
        var index = mask.gt(0.5).nonzero().to(ScalarType.Float64);   // [K,2] (row, col)
        var (y, x) = (index.select(1, 0), index.select(1, 1));
        var (dx, dy) = (x - x.mean(), y - y.mean());
        double mu20 = (dx * dx).mean().item<double>(), mu02 = (dy * dy).mean().item<double>(), mu11 = (dx * dy).mean().item<double>();
        return 0.5 * Math.Atan2(2 * mu11, mu20 - mu02) * 180 / Math.PI;
    }

    [Theory]
    [InlineData(20.5, 30.0, 11, 20)]
    [InlineData(32.0, 32.0, 44, 44)]
    [InlineData(5.0, 59.0, 10, 10)]
    public void UnrotatedRectangleCoversExactlyWidthTimesHeightPixels(double cx, double cy, int width, int height)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Shapes.Square(64, cx, cy, width, height, 0);
        Assert.Equal(width * height, Area(mask));
        Assert.Equal(width, mask.amax(0).sum().item<float>());    // columns touched
        Assert.Equal(height, mask.amax(1).sum().item<float>());   // rows touched
    }

    [Theory]
    [InlineData(12.0)]
    [InlineData(-15.0)]
    [InlineData(7.5)]
    public void RotatedRectangleKeepsItsAreaAndTurnsByTheAngle(double angle)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Shapes.Square(64, 32, 32, 40, 16, angle);
        Assert.InRange(Area(mask), 640 - 20, 640 + 20);
        Assert.InRange(Orientation(mask), angle - 1, angle + 1);
        Assert.InRange(Orientation(Shapes.Square(64, 32, 32, 40, 16, 0)), -1e-9, 1e-9);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(23)]
    [InlineData(44)]
    public void DiscAreaFollowsPiRSquared(int diameter)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Shapes.Disc(64, 32, 32, diameter);
        double exact = Math.PI * diameter * diameter / 4;
        Assert.InRange(Area(mask), exact - diameter, exact + diameter);    // lattice error ≪ perimeter πd
        Assert.Equal(diameter % 2 == 0 ? diameter : diameter - 1, mask.amax(0).sum().item<float>());
        Assert.True(CorruptionTestImages.Same(mask, mask.flip(0)) && CorruptionTestImages.Same(mask, mask.transpose(0, 1)));
    }

    [Fact]
    public void BlobWithoutHarmonicsIsTheDiscAndItsAreaFollowsTheContourIntegral()
    {
        using var scope = torch.NewDisposeScope();
        Assert.True(CorruptionTestImages.Same(Shapes.Disc(64, 30, 33, 30), Shapes.Blob(64, 30, 33, 15, [0, 0], [1, 2])));
        double[][] amplitudes = [[0.1, 0.1, 0.1, 0.1], [0.0, 0.25, 0.0, 0.05], [0.3, 0.0, 0.0, 0.0]];
        foreach (var a in amplitudes)
        {
            var mask = Shapes.Blob(64, 32, 32, 18, a, [0.3, 1.1, 2.9, 4.0]);
            double exact = Shapes.BlobArea(18, a);
            Assert.InRange(Area(mask), exact - 36, exact + 36);
            Assert.True(Math.Abs(exact - Math.PI * 18 * 18) > 1 || a.Sum() == 0);
        }
    }

    [Fact]
    public void SamplesFollowDisyreRangesAndProbabilities()
    {
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(12);
        var shapes = new Shapes();
        var samples = Enumerable.Range(0, 300).Select(_ => shapes.Sample(rng)).ToList();
        foreach (var kind in Enum.GetValues<ShapeKind>())
            Assert.InRange(samples.Count(s => s.Kind == kind) / 300.0, 0.23, 0.43);
        Assert.All(samples, s => Assert.Equal(new long[] { 64, 64 }, s.Mask.shape));
        Assert.All(samples, s => Assert.InRange(s.Width, 10, 44));
        Assert.All(samples, s => Assert.InRange(s.Height, 10, 44));
        Assert.All(samples, s => Assert.InRange(s.Mask.min().item<float>(), 0f, 0.01f));
        Assert.All(samples, s => Assert.InRange(s.Mask.max().item<float>(), 0f, 1f));
        Assert.All(samples, s => Assert.InRange(s.BlurSigma, 0, 5));
        Assert.InRange(samples.Count(s => s.BlurSigma > 0) / 300.0, 0.6, 0.8);

        var squares = samples.Where(s => s.Kind == ShapeKind.Square).ToList();
        Assert.InRange(squares.Count(s => s.AngleDegrees != 0) / (double)squares.Count, 0.3, 0.7);
        Assert.All(squares, s => Assert.InRange(s.AngleDegrees, -15, 15));
        Assert.Contains(squares, s => s.Width != s.Height);   // sides drawn independently, as the released code does
        Assert.All(samples.Where(s => s.Kind != ShapeKind.Square), s => Assert.Equal(0, s.AngleDegrees));

        var sharp = samples.Where(s => s.BlurSigma == 0).ToList();
        Assert.All(sharp, s => Assert.True(s.Mask.eq(0).logical_or(s.Mask.eq(1)).all().item<bool>()));
        Assert.All(sharp.Where(s => s.Kind == ShapeKind.Square && s.AngleDegrees == 0), s => Assert.Equal(s.Width * s.Height, Area(s.Mask)));
        Assert.All(sharp.Where(s => s.Kind == ShapeKind.Disc), s =>
            Assert.InRange(Area(s.Mask), Math.PI * s.Width * s.Width / 4 - s.Width, Math.PI * s.Width * s.Width / 4 + s.Width));
        Assert.All(sharp.Where(s => s.Kind == ShapeKind.Blob), s => Assert.InRange(Area(s.Mask),
            Shapes.BlobArea(s.Width / 2, s.Harmonics) - 1.5 * s.Width, Shapes.BlobArea(s.Width / 2, s.Harmonics) + 1.5 * s.Width));
        Assert.All(sharp.Where(s => s.Kind == ShapeKind.Disc), s => Assert.True(DiscKeepsMargin(s.Mask, 10)));
    }

    /// <summary>No pixel within margin − 1 px of the box edge (the disc's edge can touch pixel 10 at the margin).</summary>
    static bool DiscKeepsMargin(Tensor mask, int margin) =>
        mask[..(margin - 1)].sum().item<float>() == 0 && mask[(64 - margin + 1)..].sum().item<float>() == 0 &&
        mask[.., ..(margin - 1)].sum().item<float>() == 0 && mask[.., (64 - margin + 1)..].sum().item<float>() == 0;

    [Fact]
    public void BlurredShapeIsTheScipyBlurOfTheSameSharpShape()
    {
        using var scope = torch.NewDisposeScope();
        var alwaysBlurred = new Shapes { BlurProbability = 1 };
        for (ulong seed = 0; seed < 6; seed++)
        {
            using var rng = new Generator(seed);
            using var again = new Generator(seed);
            var blurred = alwaysBlurred.Sample(rng);
            var sharp = (alwaysBlurred with { BlurProbability = 0 }).Sample(again);   // same draws up to the blur
            Assert.True(blurred.BlurSigma > 0 && sharp.BlurSigma == 0);
            Assert.True(GaussianBlur.Apply(sharp.Mask, blurred.BlurSigma).allclose(blurred.Mask, rtol: 0, atol: 1e-7));
        }
    }

    [Fact]
    public void SameSeedSameShapesOtherSeedOtherShapes()
    {
        using var scope = torch.NewDisposeScope();
        List<ShapeSample> Draws(ulong seed)
        {
            using var rng = new Generator(seed);
            return Enumerable.Range(0, 8).Select(_ => new Shapes().Sample(rng)).ToList();
        }
        var (a, b, c) = (Draws(3), Draws(3), Draws(4));
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(CorruptionTestImages.Same(a[i].Mask, b[i].Mask) && a[i].Kind == b[i].Kind));
        Assert.Contains(Enumerable.Range(0, 8), i => !CorruptionTestImages.Same(a[i].Mask, c[i].Mask));
    }

    [Fact]
    public void RejectsSizesThatDoNotFitTheBox()
    {
        using var rng = new Generator(0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Shapes { MaxSize = 70 }.Sample(rng));
        Assert.Contains("MaxSize 70", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shapes { BoxSize = 63 }.Sample(rng));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shapes { BlobRoughness = 0.3 }.Sample(rng));
    }
}
