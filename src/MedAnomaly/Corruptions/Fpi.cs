using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>How the foreign patch is adjusted before blending.</summary>
public enum PatchNormalization
{
    /// <summary>Used as is (FPI, Tan et al. 2020; DISYRE's "fpi").</summary>
    None,
    /// <summary>Min–max rescaled to the target's range under the mask, then clipped to [0,1] (DISYRE's DAG).</summary>
    MinMax,
}

/// <summary>
/// Foreign patch interpolation (Tan et al., "Detecting outliers with foreign patch interpolation", 2020) as
/// DISYRE uses it (Marimont &amp; Tarroni, ISBI 2024 arXiv 2311.15453; released preprocessing/fpi.py):
/// x_c = x·(1 − α·m) + p·α·m with α ~ U[AlphaMin, AlphaMax], m a <see cref="Shapes"/> mask placed at a random
/// foreground centre (<see cref="AnomalyPlacement"/>) and zeroed outside the foreground, and p a Box×Box patch of
/// ANOTHER image of the batch (image n takes it from image (n+1) mod N — from itself when N = 1), centred at a
/// random foreground pixel of that image. Results are clipped to [0,1] (the blend is convex: only rounding can
/// step out). <see cref="CorruptionResult.Mask"/> is m (the blend weight is Severity·m); Severity is α, or 0 when
/// nothing changed (an empty mask), as in the released code. A given t [N] in [0,1] is used as α.
/// </summary>
public sealed record Fpi : ICorruption
{
    public double AlphaMin { get; init; } = 0;
    public double AlphaMax { get; init; } = 1;
    public PatchNormalization Normalize { get; init; } = PatchNormalization.None;
    /// <summary>The anomaly shapes; their BoxSize is the size of the foreign patch.</summary>
    public Shapes Shapes { get; init; } = new();

    public string Name => "fpi";

    /// <param name="clean">[N,C,H,W] images in [0,1], H and W ≥ the shape box.</param>
    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        CorruptionChecks.Images(clean, nameof(Fpi));
        var alphas = CorruptionChecks.Severities(t, clean.size(0), nameof(Fpi)) ?? DrawAlphas(clean.size(0), rng);
        using var scope = torch.NewDisposeScope();
        var (masks, patches) = Plan(clean, rng);
        var alpha = torch.tensor(alphas, ScalarType.Float32, clean.device);
        var corrupted = Blend(clean, patches, masks, alpha);
        var changed = corrupted.ne(clean).flatten(1).any(1);
        var severity = torch.where(changed, alpha, torch.zeros_like(alpha));
        return new CorruptionResult(corrupted, masks, severity).MoveToOuterDisposeScope();
    }

    /// <summary>x·(1 − α·m) + p·α·m where m &gt; 0, clipped to [0,1]; x itself (bit-identical) where m = 0.</summary>
    /// <param name="x">[N,C,H,W].</param> <param name="patch">[N,C,H,W].</param>
    /// <param name="mask">[N,1,H,W] in [0,1].</param> <param name="alpha">[N].</param>
    public static Tensor Blend(Tensor x, Tensor patch, Tensor mask, Tensor alpha)
    {
        using var scope = torch.NewDisposeScope();
        var weight = alpha.to(x.dtype).view(-1, 1, 1, 1) * mask.to(x.dtype);
        var blended = (x * (1 - weight) + patch * weight).clamp(0, 1);
        return torch.where(mask.gt(0), blended, x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// DISYRE's "minmax" (fpi.py): p' = (p − min p)/(max p − min p + 1e-3)·(max x − min x) + min x, extremes taken
    /// over the pixels where m &gt; 0, then clipped to [0,1]. p unchanged when m is empty.
    /// </summary>
    /// <param name="patch">[C,H,W] foreign patch in image coordinates.</param>
    /// <param name="image">[C,H,W] target image.</param> <param name="mask">[1,H,W] shape mask.</param>
    public static Tensor MinMaxToLocalRange(Tensor patch, Tensor image, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var inside = mask.gt(0).expand_as(image);
        if (!inside.any().item<bool>()) return patch.clone().MoveToOuterDisposeScope();
        var (p, x) = (patch.masked_select(inside), image.masked_select(inside));
        var (pMin, pMax, xMin, xMax) = (p.min(), p.max(), x.min(), x.max());
        var rescaled = (patch - pMin) / (pMax - pMin + 1e-3) * (xMax - xMin) + xMin;
        return rescaled.clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per image: the shape mask m [N,1,H,W] and the (normalised) foreign patch in place [N,C,H,W].</summary>
    (Tensor Masks, Tensor Patches) Plan(Tensor clean, Generator rng)
    {
        int box = Shapes.BoxSize;
        long n = clean.size(0), height = clean.size(2), width = clean.size(3);
        AnomalyPlacement.CheckFits(height, width, box);
        var masks = new Tensor[n];
        var patches = new Tensor[n];
        for (long i = 0; i < n; i++)
        {
            var image = clean[i];
            var foreground = AnomalyPlacement.Foreground(image);
            var centre = AnomalyPlacement.SampleCentre(foreground, box, rng);
            var shape = Shapes.Sample(rng).Mask.to(clean.device).unsqueeze(0);
            masks[i] = AnomalyPlacement.Paste(shape, height, width, centre) * foreground.to(shape.dtype);
            patches[i] = AnomalyPlacement.Paste(ForeignPatch(clean[(i + 1) % n], box, rng), height, width, centre);
            if (Normalize == PatchNormalization.MinMax) patches[i] = MinMaxToLocalRange(patches[i], image, masks[i]);
        }
        return (torch.stack(masks), torch.stack(patches));
    }

    /// <summary>A Box×Box patch of <paramref name="donor"/> [C,H,W] centred at a random foreground pixel.</summary>
    static Tensor ForeignPatch(Tensor donor, int box, Generator rng) =>
        AnomalyPlacement.Crop(donor, AnomalyPlacement.SampleCentre(AnomalyPlacement.Foreground(donor), box, rng), box);

    double[] DrawAlphas(long n, Generator rng)
    {
        if (!(0 <= AlphaMin && AlphaMin <= AlphaMax && AlphaMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(AlphaMax), $"expected 0 ≤ AlphaMin ≤ AlphaMax ≤ 1, got [{AlphaMin}, {AlphaMax}]");
        var alphas = new double[n];
        for (long i = 0; i < n; i++) alphas[i] = Draw.Uniform(rng, AlphaMin, AlphaMax);
        return alphas;
    }
}
