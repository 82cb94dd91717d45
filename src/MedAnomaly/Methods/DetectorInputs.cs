using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>The checks and defaults of what every detector takes: [N,C,H,W] floating-point slices in [0,1] (C = the
/// channels its network was built for, e.g. BraTS's four modalities) and an optional [N,1,H,W] brain mask.</summary>
public static class DetectorInputs
{
    /// <param name="channels">The channels expected; null = any number.</param>
    /// <exception cref="ArgumentException">Not [N,C,H,W] with the expected C, or not floating point.</exception>
    public static void CheckImages(Tensor images, int? channels = null, string name = "images")
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.ndim != 4 || images.size(1) < 1 || channels is int c && images.size(1) != c)
            throw new ArgumentException($"{name} must be [N,{channels?.ToString() ?? "C"},H,W] slices in [0,1], got [{string.Join(", ", images.shape)}]", name);
        if (!images.is_floating_point())
            throw new ArgumentException($"{name} must be floating point (float32 in [0,1]), got {images.dtype}", name);
    }

    /// <summary>The given brain mask [N,1,H,W] as the images' dtype and device, or where any channel of the images is
    /// &gt; 0 when none is given.</summary>
    public static Tensor ForegroundOf(Tensor images, Tensor? foreground)
    {
        long[] plane = [images.size(0), 1, images.size(2), images.size(3)];
        if (foreground is null) return images.gt(0).any(1, keepdim: true).to(images.dtype);
        if (!foreground.shape.SequenceEqual(plane))
            throw new ArgumentException($"foreground must be [N,1,H,W] = [{string.Join(", ", plane)}] for images [{string.Join(", ", images.shape)}], got [{string.Join(", ", foreground.shape)}]", nameof(foreground));
        return foreground.to(images.device).to(images.dtype);
    }
}
