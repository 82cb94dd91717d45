namespace MedAnomaly.Metrics;

/// <summary>What a surface distance is when the prediction or the lesion mask of a case (slice or volume) is empty,
/// where it is undefined (MedPy raises). Values are in the distance unit (mm with a spacing, else pixels).</summary>
/// <param name="Name">Command-line name.</param>
/// <param name="BothEmpty">The value when both masks are empty (NaN = leave the case out of the mean).</param>
/// <param name="OneEmpty">The value when exactly one mask is empty (NaN = leave the case out).</param>
/// <param name="Description">One line naming the convention's source, printed in reports.</param>
public sealed record EmptyMaskConvention(string Name, double BothEmpty, double OneEmpty, string Description)
{
    /// <summary>The BraTS challenge convention (docs/metrics.md, "HD95"): both empty → 0; exactly one empty →
    /// 373.12866 mm = √(240² + 240² + 155²), the diagonal of the 240×240×155 BraTS volume at 1 mm, the largest
    /// distance possible there.</summary>
    public static EmptyMaskConvention BraTS { get; } =
        new("brats", 0, 373.12866, "BraTS: both masks empty -> 0, exactly one empty -> 373.12866 (diagonal of the 240x240x155 BraTS volume)");

    /// <summary>Cases with an empty mask are left out of the mean (their number is reported).</summary>
    public static EmptyMaskConvention Skip { get; } =
        new("skip", double.NaN, double.NaN, "skip: cases with an empty prediction or lesion mask are left out of the mean");

    /// <summary>The convention called <paramref name="name"/> ("brats" or "skip").</summary>
    public static EmptyMaskConvention Parse(string name) => name.ToLowerInvariant() switch
    {
        "brats" => BraTS,
        "skip" => Skip,
        _ => throw new ArgumentException($"empty-mask convention must be brats or skip, got '{name}'"),
    };
}
