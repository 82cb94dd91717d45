using MedAnomaly.Metrics;
using static MedAnomaly.Tests.Metrics.MetricsFixtures;

namespace MedAnomaly.Tests.Metrics;

public class Hd95Tests
{
    static bool[] Bits(string s) => s.Select(c => c == '1').ToArray();

    static double[] Ones(int rank) => Enumerable.Repeat(1.0, rank).ToArray();

    public static TheoryData<string> EdtCases() => new(Hd95Golden.Edt.Select(e => e.Name));
    public static TheoryData<string> SurfaceCases() => new(Hd95Golden.Surfaces.Select(e => e.Name));
    public static TheoryData<string> PairCases() => new(Hd95Golden.Pairs.Select(e => e.Name));
    public static TheoryData<int> EvaluateCases() => new(Enumerable.Range(0, Hd95Golden.Evaluate.Length));

    [Theory]
    [MemberData(nameof(EdtCases))]
    public void DistanceTransformMatchesScipy(string name)
    {
        var e = Hd95Golden.Edt.Single(c => c.Name == name);
        var d = EuclideanDistanceTransform.Distances(Bits(e.Features), e.Shape, e.Spacing);
        Assert.Equal(e.Distances.Length, d.Length);
        for (int i = 0; i < d.Length; i++) Close(e.Distances[i], d[i], $"{name}[{i}]");
    }

    [Fact]
    public void DistanceTransformWithoutFeaturesIsInfiniteAndChecksItsGrid()
    {
        Assert.All(EuclideanDistanceTransform.Distances(new bool[12], [3, 4], [1, 1]), v => Assert.Equal(double.PositiveInfinity, v));
        Assert.Contains("one spacing per axis", Assert.Throws<ArgumentException>(() => EuclideanDistanceTransform.Distances(new bool[12], [3, 4], [1])).Message);
        Assert.Contains("holds 12", Assert.Throws<ArgumentException>(() => EuclideanDistanceTransform.Distances(new bool[10], [3, 4], [1, 1])).Message);
        Assert.Contains("> 0", Assert.Throws<ArgumentException>(() => EuclideanDistanceTransform.Distances(new bool[12], [3, 4], [1, 0])).Message);
    }

    [Theory]
    [MemberData(nameof(SurfaceCases))]
    public void SurfaceIsTheMaskMinusItsScipyErosion(string name)
    {
        var e = Hd95Golden.Surfaces.Single(c => c.Name == name);
        Assert.Equal(e.Surface, string.Concat(Surface.Of(Bits(e.Mask), e.Shape).Select(b => b ? '1' : '0')));
    }

    [Theory]
    [MemberData(nameof(PairCases))]
    public void Hd95MatchesMedPy(string name)
    {
        var e = Hd95Golden.Pairs.Single(c => c.Name == name);
        var spacing = e.Spacing ?? Ones(e.Shape.Length);
        Close(e.Hd95, SurfaceDistance.Hd95(Bits(e.Result), Bits(e.Reference), e.Shape, spacing), "hd95");
        var directed = SurfaceDistance.Directed(Bits(e.Result), Bits(e.Reference), e.Shape, spacing);
        Assert.Equal(e.DirectedCount, directed.Length);
        Assert.True(Math.Abs(directed.Sum() - e.DirectedSum) <= 1e-12 * e.DirectedSum, $"directed sum {directed.Sum():R} vs {e.DirectedSum:R}");
    }

    [Fact]
    public void PercentileMatchesNumpy()
    {
        foreach (var e in Hd95Golden.Percentiles)
            Close(e.Percentile, Percentile.Linear(e.Values.ToArray(), e.Q), $"percentile {e.Q} of {e.Values.Length}");
    }

    [Fact]
    public void SurfaceDistancesOfAnEmptyMaskAreAnError()
    {
        var ex = Assert.Throws<ArgumentException>(() => SurfaceDistance.Hd95(new bool[16], Enumerable.Range(0, 16).Select(i => i == 5).ToArray(), [4, 4], [1, 1]));
        Assert.Contains("result mask is empty", ex.Message);
    }

    static MetricsInput Input(bool foreground, bool volumes)
    {
        var (maps, masks, fg) = Images();
        return new MetricsInput
        {
            ImageCount = 24, Height = 8, Width = 8, Maps = maps, Masks = masks, Foreground = foreground ? fg : null,
            VolumeIds = volumes ? Enumerable.Range(0, 24).Select(i => i / 6).ToArray() : null,
        };
    }

    [Theory]
    [MemberData(nameof(EvaluateCases))]
    public void EvaluateReportsHd95PerVolumeOrPerSliceLikeMedPy(int index)
    {
        var e = Hd95Golden.Evaluate[index];
        var input = Input(e.Foreground, e.Volumes);
        var options = new MetricsOptions { Spacing = e.Spacing, EmptyMasks = EmptyMaskConvention.Parse(e.Empty), Threshold = e.Oracle ? null : 0.9 };
        var px = AnomalyMetrics.Evaluate(input, options).Pixel!;
        var point = e.Oracle ? px.Oracle : px.Given!;
        Close(e.Threshold, point.Threshold, "threshold");
        Close(e.Hd95, point["hd95"], "hd95");
        Assert.Equal(e.Volumes ? "volume" : "slice", point.Cases.Kind);
        Assert.Equal(e.Spacing == null ? "px" : "mm", point.Cases.Unit);
        var perCase = Hd95Metric.PerCase(SegmentationAtThreshold.Of(input, input.Maps, e.Threshold, options));
        Assert.Equal(e.PerCase.Length, perCase.Length);
        for (int c = 0; c < perCase.Length; c++) Close(e.PerCase[c], perCase[c], $"case {c}");
    }

    [Fact]
    public void EmptyCasesFollowTheNamedConvention()
    {
        bool[] none = new bool[16], some = Enumerable.Range(0, 16).Select(i => i is 5 or 6).ToArray();
        SegmentationAtThreshold Two(bool[] prediction, bool[] lesions, EmptyMaskConvention empty) =>
            new([.. prediction, .. some], [.. lesions, .. some], default, 2, 4, 4, null, null, empty);
        Assert.Equal([0.0, 0.0], Hd95Metric.PerCase(Two(none, none, EmptyMaskConvention.BraTS)));
        Assert.Equal([Hd95Golden.BraTSOneEmpty, 0.0], Hd95Metric.PerCase(Two(some, none, EmptyMaskConvention.BraTS)));
        Assert.Equal([Hd95Golden.BraTSOneEmpty, 0.0], Hd95Metric.PerCase(Two(none, some, EmptyMaskConvention.BraTS)));
        Assert.Equal(Hd95Golden.BraTSOneEmpty / 2, new Hd95Metric().Compute(Two(none, some, EmptyMaskConvention.BraTS)));
        Assert.Equal(0.0, new Hd95Metric().Compute(Two(none, some, EmptyMaskConvention.Skip))); // the empty case is left out
        var summary = Two(none, some, EmptyMaskConvention.Skip).Summarize();
        Assert.Equal((2, 0, 1, 0), (summary.Count, summary.BothEmpty, summary.PredictionEmpty, summary.LesionEmpty));
        var allEmpty = new SegmentationAtThreshold(new bool[16], new bool[16], default, 1, 4, 4, null, null, EmptyMaskConvention.Skip);
        Assert.True(double.IsNaN(new Hd95Metric().Compute(allEmpty)));
        Assert.Contains("brats or skip", Assert.Throws<ArgumentException>(() => EmptyMaskConvention.Parse("zero")).Message);
    }

    [Fact]
    public void VolumesNeedThreeSpacingValues()
    {
        var ex = Assert.Throws<ArgumentException>(() => AnomalyMetrics.Evaluate(Input(false, true), new MetricsOptions { Spacing = [1, 1] }));
        Assert.Contains("(slice, row, column)", ex.Message);
        Assert.Throws<ArgumentException>(() => AnomalyMetrics.Evaluate(Input(false, false), new MetricsOptions { Spacing = [1, -1] }));
        // One value is isotropic; three values without volume ids use (row, column).
        var iso = AnomalyMetrics.Evaluate(Input(false, false), new MetricsOptions { Spacing = [0.5] }).Pixel!.Oracle["hd95"];
        var three = AnomalyMetrics.Evaluate(Input(false, false), new MetricsOptions { Spacing = [9, 0.5, 0.5] }).Pixel!.Oracle["hd95"];
        Assert.Equal(iso, three);
    }
}
