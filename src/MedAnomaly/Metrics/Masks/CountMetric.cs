namespace MedAnomaly.Metrics;

/// <summary>A mask metric that is a formula of the confusion counts (<see cref="ConfusionCounts"/>, which holds the
/// formulas): Dice, sensitivity, specificity, FPR at the threshold. One registry line each.</summary>
public sealed class CountMetric(string name, string label, string definition, bool higherIsBetter, Func<ConfusionCounts, double> formula) : IMaskMetric
{
    public string Name => name;
    public string Label => label;
    public string Definition => definition;
    public bool HigherIsBetter => higherIsBetter;
    public double Compute(SegmentationAtThreshold segmentation) => formula(segmentation.Counts);
}
