using MedAnomaly.Diffusion;
using G = MedAnomaly.Tests.Diffusion.DiffusionGolden;

namespace MedAnomaly.Tests.Diffusion;

/// <summary>Timestep spacing against diffusers' set_timesteps arithmetic in numpy (tests/golden/make_diffusion_golden.py).</summary>
public class InferenceTimestepsTests
{
    [Fact]
    public void SpacingsMatchDiffusers()
    {
        foreach (var (T, n, spacing, expected) in G.Spacings)
            Assert.True(expected.SequenceEqual(InferenceTimesteps.Spaced(T, n, Enum.Parse<TimestepSpacing>(spacing))), $"T={T}, n={n}, {spacing}");
    }

    [Fact]
    public void PublishedSchedules()
    {
        // DISYRE v2 inference: 4 trailing steps of T = 100
        Assert.Equal(new[] { 99, 74, 49, 24 }, InferenceTimesteps.Spaced(100, 4, TimestepSpacing.Trailing));
        var leading = InferenceTimesteps.Spaced(1000, 50, TimestepSpacing.Leading);
        Assert.Equal((980, 0), (leading[0], leading[^1]));
        var trailing = InferenceTimesteps.Spaced(1000, 50, TimestepSpacing.Trailing);
        Assert.Equal((999, 19), (trailing[0], trailing[^1]));
        var linspace = InferenceTimesteps.Spaced(1000, 50, TimestepSpacing.Linspace);
        Assert.Equal((999, 979, 958, 0), (linspace[0], linspace[1], linspace[2], linspace[^1]));
        Assert.Equal(Enumerable.Range(0, 1000).Reverse(), InferenceTimesteps.Spaced(1000, 1000, TimestepSpacing.Trailing));
    }

    [Fact]
    public void TrailingKeepsTheFirstNOfNumpysArange()
    {
        Assert.Equal(30, G.TrailingNumpyRaw100x29.Length);
        Assert.Equal(-1, G.TrailingNumpyRaw100x29[^1]);
        Assert.Equal(G.TrailingNumpyRaw100x29.Take(29), InferenceTimesteps.Spaced(100, 29, TimestepSpacing.Trailing));
    }

    [Fact]
    public void SpacedFromStartsAtTStart()
    {
        Assert.Equal(InferenceTimesteps.Spaced(250, 10, TimestepSpacing.Trailing), InferenceTimesteps.SpacedFrom(249, 10, TimestepSpacing.Trailing));
        Assert.Equal(249, InferenceTimesteps.SpacedFrom(249, 10, TimestepSpacing.Trailing)[0]);
        Assert.Equal(249, InferenceTimesteps.SpacedFrom(249, 10, TimestepSpacing.Linspace)[0]);
        Assert.Equal(225, InferenceTimesteps.SpacedFrom(249, 10, TimestepSpacing.Leading)[0]);
        Assert.Equal(new[] { 0 }, InferenceTimesteps.SpacedFrom(0, 1, TimestepSpacing.Trailing));
        int[] ts = [99, 74, 49, 24];
        Assert.Equal(new[] { 74, 49, 24, -1 }, Enumerable.Range(0, 4).Select(i => InferenceTimesteps.Previous(ts, i)));
    }

    [Fact]
    public void BadCountsAreRejected()
    {
        Assert.Contains("1 … 100", Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.Spaced(100, 101, TimestepSpacing.Leading)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.Spaced(100, 0, TimestepSpacing.Trailing));
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.Spaced(0, 1, TimestepSpacing.Trailing));
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.SpacedFrom(-1, 1, TimestepSpacing.Trailing));
        Assert.Contains("tStart + 1 = 10", Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.SpacedFrom(9, 11, TimestepSpacing.Trailing)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceTimesteps.Spaced(100, 4, (TimestepSpacing)7));
    }
}
