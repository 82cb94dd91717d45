using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>How DAG chooses the intensity levels whose voxels receive the bias.</summary>
public enum LevelSelection
{
    /// <summary>Released code (bias.py): level k is kept with probability n_k / (Σ n + 1000), independently; all if none.</summary>
    IndependentPerLevel,
    /// <summary>Exactly one level, with probability n_k / Σ n (the paper's description: one level, chosen in proportion to its share).</summary>
    OneProportional,
}

/// <summary>
/// DAG, DISYRE v2's default corruption (Marimont &amp; Tarroni, "Ensembled Cold-Diffusion Restorations for
/// Unsupervised Anomaly Detection", MICCAI 2024, arXiv 2407.06635; released preprocessing/fpi.py + bias.py):
/// <list type="number">
/// <item>texture: <see cref="Fpi"/> with the foreign patch min–max rescaled to the local intensity range, α_texture;</item>
/// <item>bias: y ← clip(y + s·α_b·m·B, 0, 1) with s = ±1 (p = ½), α_b ~ U[0,1], and B = Gaussian blur (σ = 1) of
/// the indicator of pixels whose nearest quantisation level (0.0057, 0.383, 0.612, 0.769, 0.939) is a selected
/// one; levels are selected by their share n_k of the pixels under m (see <see cref="Selection"/>).</item>
/// </list>
/// Severity = max(α_texture, α_bias) where α_bias = max |Δy| of the bias step, as the released trainer uses.
/// Mask = m (the bias acts inside it). A given t [N] in [0,1] is used as both α_texture and α_b.
/// </summary>
public sealed record Dag : ICorruption
{
    /// <summary>The texture step; DAG rescales the foreign patch (min–max).</summary>
    public Fpi Texture { get; init; } = new() { Normalize = PatchNormalization.MinMax };
    public double BiasMin { get; init; } = 0;
    public double BiasMax { get; init; } = 1;
    /// <summary>Quantisation codebook of the released code (k-means centres of CamCAN intensities).</summary>
    public double[] Levels { get; init; } = [0.00565079, 0.38283867, 0.61224216, 0.76920754, 0.9385473];
    public LevelSelection Selection { get; init; } = LevelSelection.IndependentPerLevel;
    /// <summary>The 1000 added to Σ n_k in the released code's selection probability.</summary>
    public double SelectionPseudoCount { get; init; } = 1000;
    public double LevelMaskSigma { get; init; } = 1;

    public string Name => "dag";

    /// <param name="clean">[N,C,H,W] images in [0,1], H and W ≥ the shape box.</param>
    public CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng)
    {
        if (!(0 <= BiasMin && BiasMin <= BiasMax && BiasMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(BiasMax), $"expected 0 ≤ BiasMin ≤ BiasMax ≤ 1, got [{BiasMin}, {BiasMax}]");
        using var scope = torch.NewDisposeScope();
        var texture = Texture.Apply(clean, t, rng);
        long n = clean.size(0);
        var given = CorruptionChecks.Severities(t, n, nameof(Dag));
        var signedAlpha = new double[n];
        var biasShapes = new Tensor[n];
        for (long i = 0; i < n; i++)
        {
            double alpha = given?[i] ?? Draw.Uniform(rng, BiasMin, BiasMax);
            signedAlpha[i] = Draw.Chance(rng, 0.5) ? alpha : -alpha;
            biasShapes[i] = BiasShape(texture.Corrupted[i], texture.Mask[i], rng);
        }
        var corrupted = AddBias(texture.Corrupted, torch.stack(biasShapes), torch.tensor(signedAlpha, ScalarType.Float32, clean.device));
        var alphaBias = (corrupted - texture.Corrupted).abs().flatten(1).amax(1).to(ScalarType.Float32);
        var severity = torch.maximum(texture.Severity, alphaBias);
        return new CorruptionResult(corrupted, texture.Mask, severity).MoveToOuterDisposeScope();
    }

    /// <summary>y + a·b clipped to [0,1] where b &gt; 0; y itself (bit-identical) elsewhere.</summary>
    /// <param name="y">[N,C,H,W].</param> <param name="biasShape">[N,C,H,W] or [N,1,H,W] in [0,1].</param>
    /// <param name="signedAlpha">[N] ±α_b.</param>
    public static Tensor AddBias(Tensor y, Tensor biasShape, Tensor signedAlpha)
    {
        using var scope = torch.NewDisposeScope();
        var biased = (y + signedAlpha.to(y.dtype).view(-1, 1, 1, 1) * biasShape.to(y.dtype)).clamp(0, 1);
        return torch.where(biasShape.gt(0), biased, y).MoveToOuterDisposeScope();
    }

    /// <summary>m · blur(indicator of selected levels) for one image y [C,H,W] and mask m [1,H,W] → [C,H,W].</summary>
    Tensor BiasShape(Tensor y, Tensor mask, Generator rng)
    {
        var levelIndex = LevelIndex(y, Levels);
        var selected = SelectLevels(LevelCounts(levelIndex, mask, Levels.Length), rng);
        return mask * GaussianBlur.Apply(LevelMask(levelIndex, selected), LevelMaskSigma);
    }

    /// <summary>Index of the nearest level for each pixel (scipy.cluster.vq.vq; ties → lower index). Int64, y's shape.</summary>
    public static Tensor LevelIndex(Tensor y, double[] levels)
    {
        using var scope = torch.NewDisposeScope();
        var codebook = torch.tensor(levels, ScalarType.Float64, y.device);
        var distance = (y.to(ScalarType.Float64).unsqueeze(-1) - codebook).abs();
        return distance.argmin(-1).MoveToOuterDisposeScope();
    }

    /// <summary>n_k: how many pixels under m (m &gt; 0, all channels) are nearest to level k.</summary>
    public static long[] LevelCounts(Tensor levelIndex, Tensor mask, int levels)
    {
        using var scope = torch.NewDisposeScope();
        var under = levelIndex.masked_select(mask.gt(0).expand_as(levelIndex));
        return torch.bincount(under, minlength: levels).cpu().data<long>().ToArray();
    }

    /// <summary>Float32 indicator (levelIndex's shape) of pixels whose level is selected.</summary>
    public static Tensor LevelMask(Tensor levelIndex, bool[] selected)
    {
        using var scope = torch.NewDisposeScope();
        var table = torch.tensor(selected.Select(s => s ? 1f : 0f).ToArray(), device: levelIndex.device);
        return table.take(levelIndex).MoveToOuterDisposeScope();
    }

    /// <summary>The selected levels, by <see cref="Selection"/>; one uniform draw per level (or one in all).</summary>
    public bool[] SelectLevels(long[] counts, Generator rng)
    {
        double total = counts.Sum();
        var selected = new bool[counts.Length];
        if (Selection == LevelSelection.OneProportional)
        {
            if (total > 0) selected[Draw.Categorical(rng, counts.Select(c => (double)c).ToArray())] = true;
            else Array.Fill(selected, true);
            return selected;
        }
        for (int k = 0; k < counts.Length; k++) selected[k] = Draw.Unit(rng) < counts[k] / (total + SelectionPseudoCount);
        if (!selected.Any(s => s)) Array.Fill(selected, true);
        return selected;
    }
}
