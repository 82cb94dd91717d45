using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>The kinds of anomaly shape DISYRE draws, each with probability 1/3 by default.</summary>
public enum ShapeKind { Square, Disc, Blob }

/// <summary>
/// One drawn shape: <paramref name="Mask"/> [Box,Box] float32 in [0,1] (1 inside; soft after the blur), the
/// kind, the size in pixels (square: sides; disc: diameter twice; blob: mean diameter twice), the rotation
/// (degrees, squares only), the blur σ (0 = not blurred), the blob's harmonic amplitudes (else empty).
/// </summary>
public sealed record ShapeSample(Tensor Mask, ShapeKind Kind, double Width, double Height, double AngleDegrees,
    double BlurSigma, double[] Harmonics);

/// <summary>
/// Anomaly shape masks of DISYRE (Marimont &amp; Tarroni, ISBI 2024 arXiv 2311.15453; MICCAI 2024
/// arXiv 2407.06635; released preprocessing/mask_generation.py) in a Box×Box patch (64×64):
/// <list type="bullet">
/// <item>square: sides U{10…44} (drawn independently, as the released code does, unless
/// <see cref="IndependentSides"/> is false), anywhere inside the box, rotated by U(±15°) with p = 0.5;</item>
/// <item>disc: diameter U{10…44}, centre at least 10 px from the box edge;</item>
/// <item>blob: a smooth random star-shaped contour r(φ) = R·(1 + Σ_{k=2}^{K+1} a_k cos(kφ + ψ_k)), a_k ~
/// U(0, <see cref="BlobRoughness"/>), ψ_k ~ U(0, 2π), mean diameter 2R ~ U{10…44} — the procedural stand-in
/// for v2's slices of stored 3D shapes.</item>
/// </list>
/// Then, with p = 0.7, a Gaussian blur of σ ~ U(0, 5) (scipy gaussian_filter, mode reflect).
/// Pixels are inside when their centre (i + ½, j + ½) is; the callers zero the mask outside the foreground.
/// All draws come from the generator.
/// </summary>
public sealed record Shapes
{
    public int BoxSize { get; init; } = 64;
    public int MinSize { get; init; } = 10;
    public int MaxSize { get; init; } = 44;
    /// <summary>Relative weights of square, disc, blob.</summary>
    public double[] KindWeights { get; init; } = [1, 1, 1];
    public bool IndependentSides { get; init; } = true;
    public double RotationProbability { get; init; } = 0.5;
    public double MaxRotationDegrees { get; init; } = 15;
    /// <summary>Minimum distance (px) from a disc to the box edge (released code: 10).</summary>
    public int DiscMargin { get; init; } = 10;
    public int BlobHarmonics { get; init; } = 4;
    public double BlobRoughness { get; init; } = 0.1;
    public double BlurProbability { get; init; } = 0.7;
    public double MaxBlurSigma { get; init; } = 5;

    /// <summary>Draws a kind, then that kind's shape, then the optional blur.</summary>
    public ShapeSample Sample(Generator rng)
    {
        Validate();
        var kind = (ShapeKind)Draw.Categorical(rng, KindWeights);
        var shape = kind switch
        {
            ShapeKind.Square => SampleSquare(rng),
            ShapeKind.Disc => SampleDisc(rng),
            _ => SampleBlob(rng),
        };
        if (!Draw.Chance(rng, BlurProbability)) return shape;
        double sigma = Draw.Uniform(rng, 0, MaxBlurSigma);
        using var sharp = shape.Mask;
        return shape with { Mask = GaussianBlur.Apply(sharp, sigma), BlurSigma = sigma };
    }

    ShapeSample SampleSquare(Generator rng)
    {
        int width = Draw.Integer(rng, MinSize, MaxSize);
        int height = IndependentSides ? Draw.Integer(rng, MinSize, MaxSize) : width;
        double cx = Draw.Integer(rng, 0, BoxSize - width) + width / 2.0;
        double cy = Draw.Integer(rng, 0, BoxSize - height) + height / 2.0;
        double angle = Draw.Chance(rng, RotationProbability) ? Draw.Uniform(rng, -MaxRotationDegrees, MaxRotationDegrees) : 0;
        return new(Square(BoxSize, cx, cy, width, height, angle), ShapeKind.Square, width, height, angle, 0, []);
    }

    ShapeSample SampleDisc(Generator rng)
    {
        int diameter = Draw.Integer(rng, MinSize, MaxSize);
        var (cx, cy) = (CentreCoordinate(rng, diameter / 2.0 + DiscMargin), CentreCoordinate(rng, diameter / 2.0 + DiscMargin));
        return new(Disc(BoxSize, cx, cy, diameter), ShapeKind.Disc, diameter, diameter, 0, 0, []);
    }

    ShapeSample SampleBlob(Generator rng)
    {
        int diameter = Draw.Integer(rng, MinSize, MaxSize);
        var amplitudes = new double[BlobHarmonics];
        var phases = new double[BlobHarmonics];
        for (int k = 0; k < BlobHarmonics; k++)
            (amplitudes[k], phases[k]) = (Draw.Uniform(rng, 0, BlobRoughness), Draw.Uniform(rng, 0, 2 * Math.PI));
        double reach = diameter / 2.0 * (1 + amplitudes.Sum());
        var (cx, cy) = (CentreCoordinate(rng, reach), CentreCoordinate(rng, reach));
        return new(Blob(BoxSize, cx, cy, diameter / 2.0, amplitudes, phases), ShapeKind.Blob, diameter, diameter, 0, 0, amplitudes);
    }

    /// <summary>An integer centre coordinate at least <paramref name="reach"/> from both box edges (the middle if none).</summary>
    int CentreCoordinate(Generator rng, double reach)
    {
        int lo = (int)Math.Ceiling(reach), hi = BoxSize - lo;
        return lo <= hi ? Draw.Integer(rng, lo, hi) : BoxSize / 2;
    }

    /// <summary>Rectangle w×h centred at (cx, cy), rotated by <paramref name="angleDegrees"/> about its centre. [box,box] float32.</summary>
    public static Tensor Square(int box, double cx, double cy, double width, double height, double angleDegrees)
    {
        using var scope = torch.NewDisposeScope();
        var (x, y) = PixelCentres(box, cx, cy);
        double a = angleDegrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        var u = cos * x + sin * y;   // coordinates in the rectangle's own frame
        var v = -sin * x + cos * y;
        var inside = u.abs().lt(width / 2) & v.abs().lt(height / 2);
        return inside.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Disc of the given diameter centred at (cx, cy): |p − c| ≤ d/2. [box,box] float32.</summary>
    public static Tensor Disc(int box, double cx, double cy, double diameter) => Blob(box, cx, cy, diameter / 2, [], []);

    /// <summary>Star-shaped blob ρ ≤ R·(1 + Σ_k a_k cos((k+2)φ + ψ_k)) around (cx, cy). [box,box] float32.</summary>
    public static Tensor Blob(int box, double cx, double cy, double radius, double[] amplitudes, double[] phases)
    {
        if (amplitudes.Length != phases.Length) throw new ArgumentException($"expected one phase per amplitude, got {amplitudes.Length} amplitudes and {phases.Length} phases");
        using var scope = torch.NewDisposeScope();
        var (x, y) = PixelCentres(box, cx, cy);
        var phi = torch.atan2(y, x);
        var contour = torch.ones_like(phi);
        for (int k = 0; k < amplitudes.Length; k++) contour += amplitudes[k] * (phi * (k + 2) + phases[k]).cos();
        var inside = (x * x + y * y).le((radius * contour).square());
        return inside.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Exact area of the blob contour: ½∮r² dφ = πR²·(1 + ½ Σ a_k²).</summary>
    public static double BlobArea(double radius, double[] amplitudes) =>
        Math.PI * radius * radius * (1 + 0.5 * amplitudes.Sum(a => a * a));

    /// <summary>(x, y) of each pixel centre relative to (cx, cy): x = j + ½ − cx, y = i + ½ − cy; [box,box] float64.</summary>
    static (Tensor X, Tensor Y) PixelCentres(int box, double cx, double cy)
    {
        var c = torch.arange(box, ScalarType.Float64) + 0.5;
        return (c.view(1, -1).expand(box, box) - cx, c.view(-1, 1).expand(box, box) - cy);
    }

    void Validate()
    {
        if (BoxSize < 2 || BoxSize % 2 != 0) throw new ArgumentOutOfRangeException(nameof(BoxSize), BoxSize, "expected an even box size ≥ 2");
        if (MinSize < 1 || MaxSize < MinSize || MaxSize > BoxSize)
            throw new ArgumentOutOfRangeException(nameof(MaxSize), $"expected 1 ≤ MinSize ≤ MaxSize ≤ BoxSize, got MinSize {MinSize}, MaxSize {MaxSize}, BoxSize {BoxSize}");
        if (KindWeights.Length != 3) throw new ArgumentException($"expected 3 kind weights (square, disc, blob), got {KindWeights.Length}");
        if (!(BlobRoughness >= 0) || BlobHarmonics < 0 || BlobRoughness * BlobHarmonics >= 1)
            throw new ArgumentOutOfRangeException(nameof(BlobRoughness), $"expected BlobRoughness ≥ 0 and BlobHarmonics·BlobRoughness < 1 (a positive radius), got {BlobRoughness} × {BlobHarmonics}");
        if (!(MaxBlurSigma >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxBlurSigma), MaxBlurSigma, "expected σ ≥ 0");
    }
}
