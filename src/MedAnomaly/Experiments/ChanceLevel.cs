using MedAnomaly.Data;

namespace MedAnomaly.Experiments;

/// <summary>
/// What a detector without skill scores on a test set. A map or image score independent of the labels ranks positives
/// and negatives alike: its AUROC is 0.5 and its expected average precision is the share of positives, i.e. lesion pixels
/// among the brain pixels the pixel metrics count (<see cref="SliceItem.LesionPixels"/>), and slices with a lesion pixel
/// among all slices (the image label of Metrics/Evaluate.cs).
/// </summary>
public sealed record ChanceLevel(long LesionPixels, long BrainPixels, int LesionedSlices, int Slices)
{
    public const double Auroc = 0.5;
    public double PixelAp => (double)LesionPixels / BrainPixels;
    public double ImageAp => (double)LesionedSlices / Slices;

    public static ChanceLevel Of(SliceDataset test)
    {
        if (test.Count == 0) throw new ArgumentException("chance level: the test set is empty", nameof(test));
        return new(test.Items.Sum(s => (long)s.LesionPixels), test.Items.Sum(s => (long)s.Foreground.Count(v => v > 0)),
            test.Items.Count(s => s.Mask is not null && s.Mask.Any(v => v > 0)), test.Count);
    }

    /// <summary>The four values, named as <see cref="MetricRows"/> names them, so that a results table can show chance as a row.</summary>
    public IReadOnlyList<MetricValue> Metrics =>
    [
        new(MetricRows.Split, "pixel_auroc", Auroc, "chance: a map independent of the lesions"),
        new(MetricRows.Split, "pixel_ap", PixelAp, $"chance: lesion pixels among brain pixels, {LesionPixels} of {BrainPixels}"),
        new(MetricRows.Split, "image_auroc", Auroc, "chance: an image score independent of the labels"),
        new(MetricRows.Split, "image_ap", ImageAp, $"chance: slices with a lesion, {LesionedSlices} of {Slices}"),
    ];

    public override string ToString() =>
        $"chance: pixel AUROC 0.5, pixel AP {PixelAp:G3} ({LesionPixels} lesion pixels of {BrainPixels} brain pixels), " +
        $"image AUROC 0.5, image AP {ImageAp:G3} ({LesionedSlices} of {Slices} slices with a lesion)";
}
