using MedAnomaly.Corruptions;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using G = MedAnomaly.Tests.Corruptions.CorruptionsGolden;

namespace MedAnomaly.Tests.Corruptions;

/// <summary>DAG: the bias step against DISYRE's bias.py (vq, counts, blur σ=1, clip), severity and invariants.</summary>
public class DagTests
{
    static readonly double[] Levels = new Dag().Levels;

    static Tensor GoldenImage() => torch.tensor(CorruptionTestImages.Pattern(G.DagSize * G.DagSize, 41, 103, 3), [1, G.DagSize, G.DagSize]);
    static Tensor GoldenMask() =>
        (torch.tensor(CorruptionTestImages.Pattern(G.DagSize * G.DagSize, 17, 79, 2), [1, G.DagSize, G.DagSize]) * 2.5f - 0.8f).clamp(0, 1);

    [Fact]
    public void BiasStepMatchesDisyreBiasPy()
    {
        using var scope = torch.NewDisposeScope();
        var (y, m) = (GoldenImage(), GoldenMask());
        var levelIndex = Dag.LevelIndex(y, Levels);
        Assert.Equal(G.DagLevelIndex, levelIndex.ToArray<long>());
        Assert.Equal(G.DagCounts, Dag.LevelCounts(levelIndex, m, Levels.Length));
        var biasShape = m * GaussianBlur.Apply(Dag.LevelMask(levelIndex, G.DagSelected), 1.0);
        Golden.AssertClose(G.DagBiasShape, biasShape, rtol: 1e-6, atol: 1e-7);
        var biased = Dag.AddBias(y.unsqueeze(0), biasShape.unsqueeze(0), torch.tensor(new[] { (float)G.DagSignedAlpha }));
        Golden.AssertClose(G.DagOut, biased, rtol: 1e-6, atol: 1e-6);
        CorruptionTestImages.AssertIdenticalWhere(biased, y.unsqueeze(0), biasShape.unsqueeze(0).eq(0));
    }

    [Fact]
    public void SeverityIsTheLargerOfTextureAlphaAndTheBiasActuallyApplied()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(3, 96);
        var dag = new Dag();
        using var rng = new Generator(31);
        var result = dag.Apply(clean, null, rng);
        using var same = new Generator(31);
        var texture = dag.Texture.Apply(clean, null, same);     // DAG draws the texture step first
        Assert.True(CorruptionTestImages.Same(texture.Mask, result.Mask));
        var alphaBias = (result.Corrupted - texture.Corrupted).abs().flatten(1).amax(1);
        Assert.True(CorruptionTestImages.Same(torch.maximum(texture.Severity, alphaBias), result.Severity));
        Assert.True(alphaBias.gt(0).any().item<bool>(), "the bias should change some image");
    }

    [Fact]
    public void KeepsRangeMaskAndUntouchedPixels()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(3, 96);
        using var rng = new Generator(32);
        var result = new Dag().Apply(clean, null, rng);
        Assert.True(result.Corrupted.min().item<float>() >= 0 && result.Corrupted.max().item<float>() <= 1);
        Assert.Equal(0, (result.Mask.gt(0) & clean.eq(0)).sum().item<long>());
        CorruptionTestImages.AssertIdenticalWhere(result.Corrupted, clean, result.Mask.eq(0));
        Assert.True(result.Severity.ge(0).all().item<bool>() && result.Severity.le(1).all().item<bool>());
    }

    [Fact]
    public void SameSeedSameCorruptionOtherSeedOtherCorruption()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(2, 96);
        CorruptionResult Run(ulong seed)
        {
            using var rng = new Generator(seed);
            return new Dag().Apply(clean, null, rng);
        }
        var (a, b, c) = (Run(1), Run(1), Run(2));
        Assert.True(CorruptionTestImages.Same(a.Corrupted, b.Corrupted) && CorruptionTestImages.Same(a.Severity, b.Severity));
        Assert.False(CorruptionTestImages.Same(a.Corrupted, c.Corrupted));
    }

    [Fact]
    public void GivenSeverityDrivesBothSteps()
    {
        using var scope = torch.NewDisposeScope();
        var clean = CorruptionTestImages.Heads(2, 96);
        using var rng = new Generator(3);
        var t = torch.tensor(new[] { 0.4f, 0.7f });
        var result = new Dag().Apply(clean, t, rng);
        Assert.True(result.Severity.allclose(t), $"severity {string.Join(", ", result.Severity.ToArray<float>())}");
        var none = new Dag().Apply(clean, torch.zeros(2), rng);
        Assert.True(CorruptionTestImages.Same(none.Corrupted, clean));
        Assert.True(CorruptionTestImages.Same(none.Severity, torch.zeros(2)));
    }

    [Fact]
    public void IndependentSelectionFollowsTheReleasedProbabilities()
    {
        // counts (0, 1000, 3000, 0, 0), pseudo-count 1000: p = (0, 0.2, 0.6, 0, 0); none kept (0.8·0.4 = 0.32) → all.
        using var rng = new Generator(40);
        var dag = new Dag();
        var draws = Enumerable.Range(0, 2000).Select(_ => dag.SelectLevels([0, 1000, 3000, 0, 0], rng)).ToList();
        double Share(int k) => draws.Count(s => s[k]) / 2000.0;
        Assert.InRange(Share(0), 0.32 - 0.04, 0.32 + 0.04);
        Assert.InRange(Share(1), 0.52 - 0.04, 0.52 + 0.04);
        Assert.InRange(Share(2), 0.92 - 0.03, 0.92 + 0.03);
        Assert.All(draws, s => Assert.True(s[0] == s[3] && s[3] == s[4]));
        Assert.All(new Dag().SelectLevels([0, 0, 0, 0, 0], rng), Assert.True);
    }

    [Fact]
    public void OneProportionalSelectionPicksExactlyOneLevelByShare()
    {
        using var rng = new Generator(41);
        var dag = new Dag { Selection = LevelSelection.OneProportional };
        var draws = Enumerable.Range(0, 2000).Select(_ => dag.SelectLevels([0, 100, 300, 0, 0], rng)).ToList();
        Assert.All(draws, s => Assert.Equal(1, s.Count(v => v)));
        Assert.All(draws, s => Assert.False(s[0] || s[3] || s[4]));
        Assert.InRange(draws.Count(s => s[2]) / 2000.0, 0.75 - 0.04, 0.75 + 0.04);
    }
}
