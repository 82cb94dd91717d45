using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class PostProcessTests
{
    static float[] FirstTwoMaps() => Images().Maps.AsSpan(0, 2 * 64).ToArray();

    [Fact]
    public void MedianFilterMatchesScipyReflect()
    {
        Assert.Equal(MetricsGolden.Median3, PostProcess.MedianFilter(FirstTwoMaps(), 2, 8, 8, 3));
        Assert.Equal(MetricsGolden.Median5, PostProcess.MedianFilter(FirstTwoMaps(), 2, 8, 8, 5));
        Assert.Throws<ArgumentException>(() => PostProcess.MedianFilter(FirstTwoMaps(), 2, 8, 8, 4));
        Assert.Throws<ArgumentException>(() => PostProcess.MedianFilter(FirstTwoMaps(), 3, 8, 8, 3));
    }

    [Fact]
    public void SmallComponentsAreRemovedLikeScipyLabel()
    {
        var binary = FirstTwoMaps().Select(v => v > 0.6f).ToArray();
        Assert.Equal(MetricsGolden.Binary06, Bits(binary));
        Assert.Equal(MetricsGolden.Components8Min3, Bits(PostProcess.RemoveSmallComponents(binary, 2, 8, 8, 3)));
        Assert.Equal(MetricsGolden.Components4Min3, Bits(PostProcess.RemoveSmallComponents(binary, 2, 8, 8, 3, connectivity: 4)));
        Assert.NotEqual(MetricsGolden.Binary06, MetricsGolden.Components8Min3); // the fixture does remove something
    }

    static string Bits(bool[] b) => string.Concat(b.Select(x => x ? '1' : '0'));
}
