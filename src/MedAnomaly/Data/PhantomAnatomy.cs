using MedAnomaly.Randomness;
namespace MedAnomaly.Data;

/// <summary>Tissue classes of the phantom's label map.</summary>
public enum PhantomTissue : byte
{
    Background = 0, Scalp = 1, Skull = 2, Csf = 3, GreyMatter = 4, WhiteMatter = 5, Ventricle = 6, DeepGrey = 7,
}

/// <summary>
/// The healthy anatomy of one phantom subject: a tissue label map and a clean T2-like intensity map
/// (before bias field and noise), both [size, size, size] with x fastest. Coordinates: x left→right,
/// y posterior→anterior, z inferior→superior, normalised to [-1, 1] across the volume.
/// Between subjects the head radii, a smooth deformation, the cortical folding pattern and the ventricle
/// size vary smoothly with the seed.
/// </summary>
public static class PhantomAnatomy
{
    /// <summary>Mean T2-like intensity of each tissue (CSF brightest, WM darker than GM, skull dark).</summary>
    public static float MeanIntensity(PhantomTissue t) => t switch
    {
        PhantomTissue.Scalp => 0.55f,
        PhantomTissue.Skull => 0.07f,
        PhantomTissue.Csf or PhantomTissue.Ventricle => 1.0f,
        PhantomTissue.GreyMatter => 0.55f,
        PhantomTissue.DeepGrey => 0.47f,
        PhantomTissue.WhiteMatter => 0.36f,
        _ => 0f,
    };

    /// <summary>True for brain parenchyma (where lesions may be placed).</summary>
    public static bool IsParenchyma(PhantomTissue t) =>
        t is PhantomTissue.GreyMatter or PhantomTissue.WhiteMatter or PhantomTissue.DeepGrey;

    /// <summary>Builds labels and clean intensities for one subject; also returns the head's ellipsoidal
    /// radius ρ per voxel (ρ &lt; 0.845 is inside the brain) used to place lesions.</summary>
    public static (byte[] labels, float[] clean, float[] rho) Build(int size, SeededRandom rng)
    {
        int n = size * size * size;
        // Subject-specific shape parameters.
        double rx = 0.78 * rng.Uniform(0.94, 1.05), ry = 0.92 * rng.Uniform(0.95, 1.04), rz = 0.80 * rng.Uniform(0.93, 1.04);
        double cx = rng.Uniform(-0.02, 0.02), cy = rng.Uniform(-0.02, 0.02), cz = rng.Uniform(-0.03, 0.03);
        double ventricleScale = rng.Uniform(0.7, 1.45);
        double ventricleAngle = rng.Uniform(0.15, 0.35);
        var ventricles = new VentricleShape(ventricleScale, ventricleAngle);
        double skullThickness = rng.Uniform(0.055, 0.075);
        double deformAmp = rng.Uniform(0.03, 0.06);
        var defX = SmoothNoise.Field(size, size, size, 3, rng);
        var defY = SmoothNoise.Field(size, size, size, 3, rng);
        var defZ = SmoothNoise.Field(size, size, size, 3, rng);
        var fold = SmoothNoise.Fractal(size, size, size, 13, 2, 0.4, rng);
        var texture = SmoothNoise.Fractal(size, size, size, 16, 2, 0.5, rng);
        var wmShade = SmoothNoise.Field(size, size, size, 4, rng);

        var labels = new byte[n];
        var clean = new float[n];
        var rho = new float[n];
        double h = 2.0 / size;
        Parallel.For(0, size, z =>
        {
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int i = (z * size + y) * size + x;
                    double px = -1 + (x + 0.5) * h + deformAmp * defX[i] - cx;
                    double py = -1 + (y + 0.5) * h + deformAmp * defY[i] - cy;
                    double pz = -1 + (z + 0.5) * h + deformAmp * defZ[i] - cz;
                    double r = Math.Sqrt(px * px / (rx * rx) + py * py / (ry * ry) + pz * pz / (rz * rz));
                    rho[i] = (float)r;
                    var t = Classify(px, py, pz, r, fold[i], skullThickness, ventricleScale, ventricles);
                    labels[i] = (byte)t;
                    float mean = MeanIntensity(t);
                    float tex = t switch
                    {
                        PhantomTissue.WhiteMatter => 0.05f * texture[i] + 0.06f * wmShade[i],
                        PhantomTissue.GreyMatter or PhantomTissue.DeepGrey => 0.07f * texture[i],
                        PhantomTissue.Scalp => 0.15f * texture[i],
                        PhantomTissue.Skull => 0.3f * texture[i],
                        PhantomTissue.Csf or PhantomTissue.Ventricle => 0.03f * texture[i],
                        _ => 0f,
                    };
                    clean[i] = mean * (1 + tex);
                }
        });
        return (labels, clean, rho);
    }

    private static PhantomTissue Classify(double px, double py, double pz, double r, float fold,
                                          double skullThickness, double vScale, VentricleShape ventricles)
    {
        const double brainEdge = 0.845, csfEdge = 0.87;
        if (r >= 1.0) return PhantomTissue.Background;
        if (r >= csfEdge + skullThickness) return PhantomTissue.Scalp;
        if (r >= csfEdge) return PhantomTissue.Skull;
        if (r >= brainEdge) return PhantomTissue.Csf;

        // Ventricles: two lateral ventricles (elongated, diverging posteriorly) and a thin third ventricle.
        if (ventricles.Contains(px, py, pz)) return PhantomTissue.Ventricle;
        if (Math.Abs(px) < 0.018 && py > -0.18 && py < 0.06 && pz > -0.32 && pz < -0.05) return PhantomTissue.Ventricle;

        // Interhemispheric fissure (CSF) lined by cortex, above the corpus callosum level.
        double absX = Math.Abs(px);
        bool aboveCallosum = pz > 0.12 || Math.Abs(py) > 0.45 || r > 0.62;
        if (aboveCallosum && absX < 0.016 && r > 0.3) return PhantomTissue.Csf;

        // Sulci: the zero level set of a smooth random field forms winding lines through the cortex.
        double af = Math.Abs(fold);
        if (r > 0.66 && af < 0.05 * (r - 0.58) / 0.26) return PhantomTissue.Csf;
        // White matter reaches further out under gyral crowns (far from a sulcus) than under sulci.
        double wmEdge = 0.66 + 0.12 * Math.Min(1.0, af / 0.3);
        if (r > wmEdge) return PhantomTissue.GreyMatter;
        if (aboveCallosum && absX < 0.05 && r > 0.3) return PhantomTissue.GreyMatter;

        // Deep grey nuclei: thalami and caudate heads.
        if (Ellipsoid(absX - 0.12, py + 0.10, pz + 0.16, 0.085, 0.13, 0.10)) return PhantomTissue.DeepGrey;
        if (Ellipsoid(absX - 0.14 * vScale, py - 0.16, pz + 0.02, 0.05, 0.09, 0.09)) return PhantomTissue.DeepGrey;
        return PhantomTissue.WhiteMatter;
    }

    /// <summary>Two lateral ventricles: ellipsoids rotated in the axial plane so the frontal horns lie near the
    /// midline, their bodies arching upward (banana shape in sagittal view); size scaled by s.</summary>
    private sealed class VentricleShape(double s, double angle)
    {
        private readonly double _cos = Math.Cos(angle), _sin = Math.Sin(angle), _offset = 0.095 * Math.Sqrt(s);
        private readonly double _ax = 0.06 * s, _az = 0.09 * Math.Sqrt(s);

        public bool Contains(double px, double py, double pz)
        {
            double lx = Math.Abs(px) - _offset, ly = py + 0.02, lz = pz - 0.02;
            if (lx * lx + ly * ly + lz * lz > 0.16) return false;   // far from both ventricles
            double u = _cos * lx + _sin * ly, v = -_sin * lx + _cos * ly;
            double arch = lz - 0.05 * (1 - v * v / 0.09);
            return Ellipsoid(u, v, arch, _ax, 0.30, _az);
        }
    }

    private static bool Ellipsoid(double x, double y, double z, double ax, double ay, double az) =>
        x * x / (ax * ax) + y * y / (ay * ay) + z * z / (az * az) < 1;
}
