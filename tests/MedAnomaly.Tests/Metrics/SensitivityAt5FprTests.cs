using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class SensitivityAt5FprTests
{
    public static TheoryData<string> Fixtures() => new(MetricsGolden.SensitivityAt5Fpr.Select(s => s.Fixture));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesScikitLearnRocCurve(string fixture)
    {
        var e = MetricsGolden.SensitivityAt5Fpr.Single(s => s.Fixture == fixture);
        var (scores, labels) = Get(fixture);
        var value = ThresholdSweep.Run(scores, labels)["sensitivity_at_5_fpr"];
        Close(e.Sensitivity, value.Value, "sensitivity");
        if (double.IsInfinity(e.Threshold)) Assert.Equal(e.Threshold, value.Threshold);
        else Close(e.Threshold, value.Threshold, "threshold");
    }
}
