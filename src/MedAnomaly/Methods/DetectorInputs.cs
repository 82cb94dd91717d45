using static TorchSharp.torch;

namespace MedAnomaly.Methods;

/// <summary>The checks and defaults of what every detector takes: [N,1,H,W] floating-point slices in [0,1] and an
/// optional brain mask.</summary>
public static class DetectorInputs
{
    /// <exception cref="ArgumentException">Not [N,1,H,W], or not floating point.</exception>
    public static void CheckImages(Tensor images, string name = "images")
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.ndim != 4 || images.size(1) != 1)
            throw new ArgumentException($"{name} must be [N,1,H,W] slices in [0,1], got [{string.Join(", ", images.shape)}]", name);
        if (!images.is_floating_point())
            throw new ArgumentException($"{name} must be floating point (float32 in [0,1]), got {images.dtype}", name);
    }

    /// <summary>The given brain mask as the images' dtype and device, or <c>images &gt; 0</c> when none is given.</summary>
    public static Tensor ForegroundOf(Tensor images, Tensor? foreground)
    {
        if (foreground is null) return images.gt(0).to(images.dtype);
        if (!foreground.shape.SequenceEqual(images.shape))
            throw new ArgumentException($"foreground must have the images' shape [{string.Join(", ", images.shape)}], got [{string.Join(", ", foreground.shape)}]", nameof(foreground));
        return foreground.to(images.device).to(images.dtype);
    }
}
