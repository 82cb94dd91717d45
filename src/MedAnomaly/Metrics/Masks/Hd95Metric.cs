using MedAnomaly.Runtime;

namespace MedAnomaly.Metrics;

/// <summary>HD95, the 95th percentile of the symmetric surface distance (<see cref="SurfaceDistance.Hd95"/>, MedPy's
/// <c>hd95</c>), computed per case — each volume in 3D when volume ids are given, else each slice in 2D — in the
/// spacing's unit (pixels without one), empty cases per <see cref="EmptyMaskConvention"/>, then averaged over cases
/// (cases whose value is NaN under <see cref="EmptyMaskConvention.Skip"/> left out).</summary>
public sealed class Hd95Metric : IMaskMetric
{
    public string Name => "hd95";
    public string Label => "HD95";
    public string Definition => "95th percentile of the symmetric surface distance (MedPy hd95: surface = mask minus its erosion, " +
                                "connectivity 1; exact EDT), per volume in 3D (per slice in 2D without volume ids), mean over cases; " +
                                "mm with a spacing, else pixels; empty masks by convention (BraTS: both 0, one 373.12866)";
    public bool HigherIsBetter => false;

    public double Compute(SegmentationAtThreshold segmentation)
    {
        double sum = 0; int count = 0;
        foreach (double value in PerCase(segmentation))
            if (!double.IsNaN(value)) { sum += value; count++; }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>HD95 of each case, in case order (the cases are independent: computed side by side).</summary>
    public static double[] PerCase(SegmentationAtThreshold segmentation)
    {
        var values = new double[segmentation.CaseCount];
        var empty = segmentation.EmptyMasks;
        ParallelLoop.For(0, values.Length, c =>
        {
            var (prediction, lesions, shape) = segmentation.Case(c);
            bool noPrediction = !prediction.AsSpan().Contains(true), noLesion = !lesions.AsSpan().Contains(true);
            values[c] = noPrediction && noLesion ? empty.BothEmpty
                      : noPrediction || noLesion ? empty.OneEmpty
                      : SurfaceDistance.Hd95(prediction, lesions, shape, segmentation.CaseSpacing);
        });
        return values;
    }
}
