using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Corruptions.CorruptionsGolden;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>Foreign patch interpolation: the blend against NumPy, DISYRE's minmax, and the corruption's invariants.</summary>
public class FpiTests
{
    static Tensor Pattern(long[] shape, long mul, long mod, long offset = 0) =>
        torch.tensor(CorruptionTestImages.Pattern((int)shape.Aggregate(1L, (a, b) => a * b), mul, mod, offset), shape);

    static Tensor GoldenMask() => (Pattern([2, 1, 8, 8], 29, 89, 5) * 3 - 1.5).clamp(0, 1);

    [Fact]
    public void BlendMatchesNumpy()
    {
        using var scope = torch.NewDisposeScope();
        var x = Pattern([2, 1, 8, 8], 37, 101);
        var p = Pattern([2, 1, 8, 8], 53, 97, 11);
        var blended = Fpi.Blend(x, p, GoldenMask(), torch.tensor(G.FpiAlpha, ScalarType.Float32));
        Golden.AssertClose(G.FpiOut, blended, rtol: 1e-6, atol: 1e-7);
        CorruptionTestImages.AssertIdenticalWhere(blended, x, GoldenMask().eq(0));
    }

    [Fact]
    public void MinMaxMatchesDisyreFormula()
    {
        using var scope = torch.NewDisposeScope();
        var image = Pattern([2, 1, 8, 8], 37, 101)[0];
        var patch = Pattern([2, 1, 8, 8], 53, 97, 11)[0] * 0.4f + 0.3f;
        Golden.AssertClose(G.MinMaxOut, Fpi.MinMaxToLocalRange(patch, image, GoldenMask()[0]), rtol: 1e-5, atol: 1e-6);
        var empty = torch.zeros([1, 8, 8]);
        Assert.True(CorruptionTestImages.Same(patch, Fpi.MinMaxToLocalRange(patch, image, empty)));
    }

    [Fact]
    public void CorruptsInsideTheForegroundAndLeavesEverythingElseBitIdentical()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(3, 96);
        using var rng = new Generator(21);
        var result = new Fpi().Apply(clean, null, rng);
        Assert.Equal(clean.shape, result.Corrupted.shape);
        Assert.Equal(new long[] { 3, 1, 96, 96 }, result.Mask.shape);
        Assert.Equal(new long[] { 3 }, result.Severity.shape);
        Assert.True(result.Corrupted.min().item<float>() >= 0 && result.Corrupted.max().item<float>() <= 1);
        Assert.True(result.Mask.min().item<float>() >= 0 && result.Mask.max().item<float>() <= 1);
        Assert.Equal(0, (result.Mask.gt(0) & clean.eq(0)).sum().item<long>());      // mask ⊆ foreground
        Assert.True(result.Mask.flatten(1).amax(1).gt(0).all().item<bool>());         // every image got a shape
        CorruptionTestImages.AssertIdenticalWhere(result.Corrupted, clean, result.Mask.eq(0));
        Assert.True(result.Severity.ge(0).all().item<bool>() && result.Severity.le(1).all().item<bool>());
        Assert.False(result.Corrupted.equal(clean).all().item<bool>());
    }

    [Fact]
    public void SameSeedSameCorruptionOtherSeedOtherCorruption()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(2, 96);
        CorruptionResult Run(ulong seed)
        {
            using var rng = new Generator(seed);
            return new Fpi().Apply(clean, null, rng);
        }
        var (a, b, c) = (Run(8), Run(8), Run(9));
        Assert.True(CorruptionTestImages.Same(a.Corrupted, b.Corrupted) && CorruptionTestImages.Same(a.Mask, b.Mask)
                    && CorruptionTestImages.Same(a.Severity, b.Severity));
        Assert.False(CorruptionTestImages.Same(a.Corrupted, c.Corrupted));
    }

    [Fact]
    public void PatchComesFromTheNextImageOfTheBatch()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Constants(3, 80);     // image b is 0.2 + 0.25 b everywhere
        var fpi = new Fpi { Shapes = new Shapes { BlurProbability = 0 } };
        using var rng = new Generator(2);
        var result = fpi.Apply(clean, torch.ones(3), rng);    // α = 1: x_c = p inside the mask
        for (int b = 0; b < 3; b++)
        {
            var inside = result.Corrupted[b].masked_select(result.Mask[b].eq(1));
            Assert.True(inside.numel() > 0);
            Assert.True(inside.eq(0.2f + 0.25f * ((b + 1) % 3)).all().item<bool>(), $"image {b} should hold image {(b + 1) % 3}'s patch");
        }
        Assert.True(CorruptionTestImages.Same(result.Severity, torch.ones(3)));
    }

    [Fact]
    public void GivenSeverityIsAlphaAndZeroChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(2, 96);
        using var rng = new Generator(4);
        var half = new Fpi().Apply(clean, torch.tensor(new[] { 0.5f, 0.25f }), rng);
        Assert.True(half.Severity.allclose(torch.tensor(new[] { 0.5f, 0.25f })));
        var none = new Fpi().Apply(clean, torch.zeros(2), rng);
        Assert.True(CorruptionTestImages.Same(none.Corrupted, clean));
        Assert.True(CorruptionTestImages.Same(none.Severity, torch.zeros(2)));
    }

    [Fact]
    public void MinMaxPatchStaysWithinTheLocalIntensityRange()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(3, 96);
        clean[1] *= 0.3f;   // a dark image next to brighter donors
        using var rng = new Generator(6);
        var result = new Fpi { Normalize = PatchNormalization.MinMax }.Apply(clean, torch.ones(3), rng);
        for (int b = 0; b < 3; b++)
        {
            var inside = result.Mask[b].gt(0);
            var (x, y) = (clean[b].masked_select(inside), result.Corrupted[b].masked_select(inside));
            Assert.True(y.min().item<float>() >= x.min().item<float>() - 1e-6 && y.max().item<float>() <= x.max().item<float>() + 1e-6);
        }
    }

    [Fact]
    public void RejectsInputsItCannotUse()
    {
        using var scope = torch.NewDisposeScope();
        using var rng = new Generator(0);
        var small = Assert.Throws<ArgumentException>(() => new Fpi().Apply(CorruptionTestImages.Heads(2, 32), null, rng));
        Assert.Contains("64×64 anomaly box", small.Message);
        var range = Assert.Throws<ArgumentException>(() => new Fpi().Apply(CorruptionTestImages.Heads(2, 64) * 2, null, rng));
        Assert.Contains("[0,1]", range.Message);
        Assert.Throws<ArgumentException>(() => new Fpi().Apply(CorruptionTestImages.Heads(2, 64), torch.ones(3), rng));
        Assert.Throws<ArgumentException>(() => new Fpi().Apply(CorruptionTestImages.Heads(2, 64), torch.full(2, 1.5f), rng));
        Assert.Throws<ArgumentException>(() => new Fpi().Apply(torch.zeros(64, 64), null, rng));
    }
}
