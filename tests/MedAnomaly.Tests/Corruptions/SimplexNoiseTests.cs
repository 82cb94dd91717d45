using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Corruptions.CorruptionsGolden;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>Simplex noise against a Python port of Gustavson's SimplexNoise.java, and AnoDDPM's fractal statistics.</summary>
public class SimplexNoiseTests
{
    static Tensor Perms() => torch.tensor(G.PermA.Concat(G.PermB).ToArray(), [2, 256]);

    static Tensor PointAxis(int axis)
    {
        int p = G.Points.Length / 3;
        return torch.tensor(G.Points, [p, 3]).select(1, axis).unsqueeze(0).contiguous();
    }

    [Fact]
    public void Noise2dMatchesGustavsonPort()
    {
        using var scope = torch.NewDisposeScope();
        var noise = GustavsonSimplex.Noise2d(Perms(), PointAxis(0), PointAxis(1));
        Assert.Equal(new long[] { 2, G.Points.Length / 3 }, noise.shape);
        Golden.AssertClose(G.Noise2d, noise, rtol: 1e-12, atol: 1e-13);
    }

    [Fact]
    public void Noise3dMatchesGustavsonPortInAllSixSimplexOrders()
    {
        using var scope = torch.NewDisposeScope();
        var noise = GustavsonSimplex.Noise3d(Perms(), PointAxis(0), PointAxis(1), PointAxis(2));
        Golden.AssertClose(G.Noise3d, noise, rtol: 1e-12, atol: 1e-13);
    }

    [Fact]
    public void PermutationTablesOutsideTheByteRangeAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var perms = Perms().clone();
        perms[1, 7] = torch.tensor(256L);
        var error = Assert.Throws<ArgumentException>(() => GustavsonSimplex.Noise3d(perms, PointAxis(0), PointAxis(1), PointAxis(2)));
        Assert.Equal("expected perm's entries in 0 … 255", error.Message);
        Assert.Throws<ArgumentException>(() => GustavsonSimplex.Noise2d(Perms().to(ScalarType.Int32), PointAxis(0), PointAxis(1)));
    }

    [Fact]
    public void FractalSumMatchesPortIn2dAnd3d()
    {
        using var scope = torch.NewDisposeScope();
        var fractal = new SimplexNoise(Octaves: G.FractalOctaves, Persistence: G.FractalPersistence, Frequency: G.FractalFrequency);
        Golden.AssertClose(G.Fractal2d, fractal.Fractal(Perms(), G.FractalHeight, G.FractalWidth), rtol: 1e-12, atol: 1e-13);
        var z = torch.tensor(G.FractalZ);
        Golden.AssertClose(G.Fractal3d, fractal.Fractal(Perms(), G.FractalHeight, G.FractalWidth, z), rtol: 1e-12, atol: 1e-13);
        Golden.AssertClose(G.Fractal2dStandardised, SimplexNoise.Standardise(fractal.Fractal(Perms(), G.FractalHeight, G.FractalWidth)),
            rtol: 1e-10, atol: 1e-12);
    }

    [Fact]
    public void NormalisedNoiseHasZeroMeanAndUnitStdPerImage()
    {
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(1);
        var noise = new SimplexNoise().Sample([3, 2, 64, 64], null, rng).to(ScalarType.Float64).flatten(2);
        Assert.Equal(ScalarType.Float32, new SimplexNoise().Sample([1, 1, 8, 8], null, rng).dtype);
        Assert.True(noise.mean([2]).abs().max().item<double>() < 1e-6);
        Assert.True((noise.std([2], unbiased: false) - 1).abs().max().item<double>() < 1e-5);
    }

    [Fact]
    public void RawFieldIsCentredWithAnoDdpmScale()
    {
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(2);
        var raw = new SimplexNoise(Normalize: false).Sample([16, 1, 64, 64], null, rng).to(ScalarType.Float64);
        double mean = raw.mean().item<double>(), std = raw.std().item<double>();
        // One octave has std ≈ 0.44 (measured with the Python port); amplitudes 1, 0.8, …, 0.8⁵ give
        // √(Σ 0.64^i) ≈ 1.6 times that, ≈ 0.7; |S| ≤ 1 bounds the sum by Σ 0.8^i ≈ 3.7.
        Assert.InRange(mean, -0.15, 0.15);
        Assert.InRange(std, 0.5, 0.95);
        Assert.True(raw.abs().max().item<double>() < 3.7);
    }

    [Fact]
    public void ScaleMultipliesTheFieldDrawnFromTheSameGenerator()
    {
        using var scope = torch.NewDisposeScope();
        Tensor Draw(double scale)
        {
            using var rng = new Generator(4);
            return new SimplexNoise(Normalize: false, TimestepAsThirdCoordinate: true, Scale: scale).Sample([2, 1, 16, 16], torch.tensor(new long[] { 3, 700 }), rng);
        }
        Assert.True((Draw(0.7) - 0.7 * Draw(1)).abs().max().item<float>() < 1e-6);
        using var rng = new Generator(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimplexNoise(Scale: 0).Sample([1, 1, 8, 8], null, rng));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimplexNoise(Scale: double.NaN).Sample([1, 1, 8, 8], null, rng));
    }

    [Fact]
    public void CorrelationLengthGrowsInProportionToTheStartingFrequency()
    {
        using var scope = torch.NewDisposeScope();
        // Correlation length = first horizontal lag where the autocorrelation of one octave falls below ½.
        int CorrelationLength(double frequency)
        {
            using var rng = new Generator(3);
            var x = new SimplexNoise(Octaves: 1, Frequency: frequency).Sample([8, 1, 64, 64], null, rng).to(ScalarType.Float64);
            for (int lag = 1; lag < 48; lag++)
                if (((x[.., .., .., ..^lag] * x[.., .., .., lag..]).mean() / (x * x).mean()).item<double>() < 0.5) return lag;
            return 48;
        }
        var lengths = new[] { 4.0, 8.0, 16.0, 32.0 }.Select(CorrelationLength).ToArray();
        for (int i = 1; i < lengths.Length; i++)
            Assert.True(lengths[i] >= 1.5 * lengths[i - 1], $"correlation lengths should about double: {string.Join(", ", lengths)}");
        Assert.InRange(lengths[^1] / (double)lengths[0], 5, 12);
    }

    [Fact]
    public void SameSeedSameNoiseOtherSeedOtherNoise()
    {
        using var scope = torch.NewDisposeScope();
        Tensor Noise(long seed)
        {
            using var rng = new Generator((ulong)seed);
            return new SimplexNoise().Sample([2, 1, 32, 32], null, rng);
        }
        Assert.True(CorruptionTestImages.Same(Noise(5), Noise(5)));
        Assert.False(Noise(5).allclose(Noise(6)));
        var pair = Noise(5);
        Assert.False(pair[0].allclose(pair[1]), "each image gets its own field");
    }

    [Fact]
    public void TimestepIsTheThirdCoordinate()
    {
        using var scope = torch.NewDisposeScope();
        var noise = new SimplexNoise(TimestepAsThirdCoordinate: true);
        Tensor At(params long[] t)
        {
            using var rng = new Generator(9);
            return noise.Sample([2, 1, 32, 32], torch.tensor(t), rng);
        }
        var (a, b) = (At(3, 3), At(3, 250));
        Assert.True(CorruptionTestImages.Same(a[0], b[0]));
        Assert.False(a[1].allclose(b[1]));
        using var rng = new Generator(9);
        var e = Assert.Throws<ArgumentException>(() => noise.Sample([2, 1, 8, 8], torch.zeros(3), rng));
        Assert.Contains("[N] = [2]", e.Message);
    }

    [Fact]
    public void ApplyAddsScaledNoiseInsideTheForegroundOnly()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(2, 32);
        var corruption = new SimplexNoise(Sigma: 0.1);
        using var rng = new Generator(4);
        var result = corruption.Apply(clean, null, rng);
        using var again = new Generator(4);
        var noise = corruption.Sample(clean.shape, null, again);
        var foreground = clean.gt(0).any(1, keepdim: true);
        Assert.True(CorruptionTestImages.Same(result.Mask, foreground.to(ScalarType.Float32)));
        Assert.True(CorruptionTestImages.Same(result.Severity, torch.ones(2)));
        CorruptionTestImages.AssertIdenticalWhere(result.Corrupted, clean, foreground.logical_not());
        Assert.True(torch.where(foreground, result.Corrupted - clean - 0.1 * noise, 0).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void RejectsBadSettings()
    {
        using var rng = new Generator(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimplexNoise(Octaves: 0).Sample([1, 1, 8, 8], null, rng));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimplexNoise(Frequency: 0).Sample([1, 1, 8, 8], null, rng));
        Assert.Throws<ArgumentException>(() => new SimplexNoise().Sample([8, 8], null, rng));
    }
}
