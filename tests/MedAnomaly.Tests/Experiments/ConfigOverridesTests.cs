using MedAnomaly.Experiments;
using MedAnomaly.Training;

namespace MedAnomaly.Tests.Experiments;

public class ConfigOverridesTests
{
    sealed record Inner { public int[] Channels { get; init; } = [8, 16]; public double Sigma { get; init; } = 0.2; }
    sealed record Sample { public int Steps { get; init; } = 10; public bool Flag { get; init; } public string Name { get; init; } = "a"; public Inner Network { get; init; } = new(); }

    [Fact]
    public void OverridesNumbersBooleansStringsArraysAndNestedKeys()
    {
        var overrides = ConfigOverrides.Parse(["steps=250", "FLAG=true", "name=b", "network.channels=[4,8,12]", "network.sigma=0.5"]);
        var (result, unused) = ConfigOverrides.Apply(new Sample(), overrides);
        Assert.Empty(unused);
        Assert.Equal(250, result.Steps);
        Assert.True(result.Flag);
        Assert.Equal("b", result.Name);
        Assert.Equal([4, 8, 12], result.Network.Channels);
        Assert.Equal(0.5, result.Network.Sigma);
    }

    [Fact]
    public void UnknownKeysAreReturnedUnused()
    {
        var (result, unused) = ConfigOverrides.Apply(new Sample(), ConfigOverrides.Parse(["t_start=300"]));
        Assert.Equal(new Sample().Steps, result.Steps);
        Assert.Equal([("t_start", "300")], unused);
    }

    [Theory]
    [InlineData("steps=abc", "expected a number")]
    [InlineData("flag=maybe", "expected true or false")]
    [InlineData("network.channels=7", "expected a JSON array")]
    [InlineData("steps=2.5", "does not fit Sample")]
    [InlineData("steps", "expected key=value")]
    public void BadValuesNameTheKeyAndTheExpectedType(string assignment, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ConfigOverrides.Apply(new Sample(), ConfigOverrides.Parse([assignment])));
        Assert.Contains(expected, e.Message);
        Assert.Contains(assignment.Split('=')[0], e.Message);
    }

    [Fact]
    public void EnumsAreSetByName()
    {
        var (options, _) = ConfigOverrides.Apply(new TrainingOptions(), ConfigOverrides.Parse(["precision=BFloat16", "emaDecay=0.999"]));
        Assert.Equal(Precision.BFloat16, options.Precision);
        Assert.Equal(0.999, options.EmaDecay);
    }
}
