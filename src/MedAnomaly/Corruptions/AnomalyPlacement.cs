using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Where DISYRE puts an anomaly (released preprocessing/mask_generation.py, GetRandomLocation): the centre of a
/// Box×Box patch is a uniformly chosen foreground pixel at least Box/2 from every edge, or, when the image has
/// none, a uniform position in [Box/2, size − Box/2]. The patch covers rows c−Box/2 … c+Box/2−1 (same for columns).
/// </summary>
public static class AnomalyPlacement
{
    /// <summary>Foreground of an image [C,H,W]: any channel &gt; 0 → [H,W] bool (DISYRE: image ≠ 0).</summary>
    public static Tensor Foreground(Tensor image) => image.gt(0).any(0);

    /// <param name="foreground">[H,W] bool.</param>
    /// <returns>(row, column) of the patch centre.</returns>
    public static (int Row, int Col) SampleCentre(Tensor foreground, int box, Generator rng)
    {
        long height = foreground.size(0), width = foreground.size(1);
        CheckFits(height, width, box);
        int half = box / 2;
        using var window = foreground.cpu()[half..(int)(height - half), half..(int)(width - half)];
        using var candidates = window.nonzero();
        long count = candidates.size(0);
        if (count == 0) return (Draw.Integer(rng, half, (int)height - half), Draw.Integer(rng, half, (int)width - half));
        int k = Draw.Integer(rng, 0, (int)count - 1);
        return ((int)candidates[k, 0].item<long>() + half, (int)candidates[k, 1].item<long>() + half);
    }

    /// <summary>The Box×Box patch of <paramref name="image"/> [C,H,W] centred at <paramref name="centre"/> → [C,Box,Box].</summary>
    public static Tensor Crop(Tensor image, (int Row, int Col) centre, int box)
    {
        int half = box / 2;
        return image[.., (centre.Row - half)..(centre.Row + half), (centre.Col - half)..(centre.Col + half)];
    }

    /// <summary>A [C,H,W] tensor of zeros holding <paramref name="patch"/> [C,Box,Box] at <paramref name="centre"/>.</summary>
    public static Tensor Paste(Tensor patch, long height, long width, (int Row, int Col) centre)
    {
        int half = (int)patch.size(-1) / 2;
        long top = centre.Row - half, left = centre.Col - half;
        return F.pad(patch, [left, width - left - patch.size(-1), top, height - top - patch.size(-2)]);
    }

    /// <summary>Throws unless an image of H×W can hold a Box×Box patch (Box even).</summary>
    public static void CheckFits(long height, long width, int box)
    {
        if (box < 2 || box % 2 != 0) throw new ArgumentOutOfRangeException(nameof(box), box, "expected an even anomaly box size");
        if (height < box || width < box)
            throw new ArgumentException($"the image ({height}×{width}) is smaller than the {box}×{box} anomaly box; use larger images or a smaller Shapes.BoxSize");
    }
}
