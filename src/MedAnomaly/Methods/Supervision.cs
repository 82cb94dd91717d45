namespace MedAnomaly.Methods;

/// <summary>What a detector learns from besides the images: the "supervision" column of comparisons, so unsupervised and
/// weakly supervised results are never read as one family.</summary>
public enum Supervision
{
    /// <summary>Unsupervised: trained on healthy slices only (the data set's "train" split); a diseased label refuses the data.</summary>
    None,
    /// <summary>Weakly supervised: trained on healthy and diseased slices with one image-level label each and no lesion mask
    /// (the data set's "weak" split).</summary>
    ImageLabels,
}

public static class SupervisionText
{
    /// <summary>"none" or "image labels", as tables and the run store write it.</summary>
    public static string Label(this Supervision supervision) => supervision switch
    {
        Supervision.None => "none",
        Supervision.ImageLabels => "image labels",
        _ => throw new ArgumentOutOfRangeException(nameof(supervision), supervision, "unknown supervision"),
    };
}
