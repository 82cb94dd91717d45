using MedAnomaly.Randomness;
namespace MedAnomaly.Data;

/// <summary>One lesion drawn into a phantom test volume. Centre in voxels (x, y, z); radius in voxels.</summary>
public sealed record PhantomLesion(string Kind, int X, int Y, int Z, double Radius, int Voxels);

/// <summary>
/// Draws lesions into a phantom's clean intensity map, inside brain parenchyma only:
/// tumour-like hyperintense masses (heterogeneous core, optional bright necrotic centre, oedema rim) and
/// small hypointense stroke-like lesions. Shapes are irregular blobs: an anisotropic distance perturbed by
/// a smooth random field. The mask marks exactly the voxels whose tissue the lesion replaced.
/// </summary>
public static class PhantomLesions
{
    /// <summary>Adds a random set of lesions (at least one non-empty) to <paramref name="clean"/> in place and
    /// returns their mask ([size³], 1 = lesion) and descriptions.</summary>
    public static (byte[] mask, List<PhantomLesion> lesions) AddRandom(int size, byte[] labels, float[] clean, float[] rho, SeededRandom rng)
    {
        var mask = new byte[clean.Length];
        var lesions = new List<PhantomLesion>();
        bool tumour = rng.Chance(0.65);
        int tumours = tumour ? (rng.Chance(0.15) ? 2 : 1) : 0;
        int strokes = tumour ? rng.NextInt(3) : 1 + rng.NextInt(3);
        for (int attempt = 0; attempt < 20 && (lesions.Count == 0 || attempt == 0); attempt++)
        {
            for (int k = 0; k < tumours; k++) TryAdd(lesions, Tumour(size, labels, clean, rho, mask, rng));
            for (int k = 0; k < strokes; k++) TryAdd(lesions, Stroke(size, labels, clean, rho, mask, rng));
            if (lesions.Count == 0) strokes = 1;
        }
        if (lesions.Count == 0) throw new InvalidOperationException("phantom: could not place a lesion inside the brain");
        return (mask, lesions);
    }

    private static void TryAdd(List<PhantomLesion> list, PhantomLesion? l) { if (l != null && l.Voxels > 0) list.Add(l); }

    /// <summary>A hyperintense mass: core (T2 ≈ 0.8–0.9), optional necrotic centre (≈ 1.0), oedema rim (≈ 0.72).</summary>
    public static PhantomLesion? Tumour(int size, byte[] labels, float[] clean, float[] rho, byte[] mask, SeededRandom rng)
    {
        double radius = size * rng.Uniform(0.035, 0.11);
        double rim = rng.Uniform(0.35, 0.9);
        float coreValue = (float)rng.Uniform(0.78, 0.9);
        bool necrotic = rng.Chance(0.5);
        float oedemaValue = (float)rng.Uniform(0.68, 0.76);
        return Draw("tumour", size, labels, clean, rho, mask, rng, radius, 0.6, rim, roughness: 0.5, (d, healthy, tex, inWhiteMatter) =>
        {
            if (d < 1)
            {
                float core = coreValue * (1 + 0.15f * tex);
                return necrotic && d < 0.45 ? Math.Max(core, 0.97f + 0.03f * tex) : core;
            }
            double a = 1 - SmoothStep(0.5, 1.0, (d - 1) / rim);   // oedema fades towards its outer edge
            if (!inWhiteMatter) a *= 0.4;                           // and spreads mostly along white matter
            if (a < 0.2) return null;
            return (float)(healthy + a * (oedemaValue * (1 + 0.05 * tex) - healthy));
        });
    }

    /// <summary>A small hypointense lesion (T2 ≈ 0.15, darker than white matter).</summary>
    public static PhantomLesion? Stroke(int size, byte[] labels, float[] clean, float[] rho, byte[] mask, SeededRandom rng)
    {
        double radius = size * rng.Uniform(0.012, 0.035);
        float value = (float)rng.Uniform(0.12, 0.2);
        return Draw("stroke", size, labels, clean, rho, mask, rng, radius, 0.72, 0, roughness: 0.45,
                    (d, healthy, tex, _) => d < 1 ? value * (1 + 0.1f * tex) : null);
    }

    /// <summary>Picks a centre in parenchyma with ρ &lt; <paramref name="maxRho"/>, then for every voxel of the
    /// lesion's box computes the perturbed normalised distance d and asks <paramref name="paint"/> for the new
    /// value (null = unchanged). Only parenchyma voxels change; they are marked in the mask.</summary>
    private static PhantomLesion? Draw(string kind, int size, byte[] labels, float[] clean, float[] rho, byte[] mask,
        SeededRandom rng, double radius, double maxRho, double rim, double roughness, Func<double, float, float, bool, float?> paint)
    {
        int cx = 0, cy = 0, cz = 0;
        bool found = false;
        for (int tries = 0; tries < 200 && !found; tries++)
        {
            cx = rng.NextInt(size); cy = rng.NextInt(size); cz = rng.NextInt(size);
            int c = (cz * size + cy) * size + cx;
            found = PhantomAnatomy.IsParenchyma((PhantomTissue)labels[c]) && rho[c] < maxRho;
        }
        if (!found) return null;
        double sx = rng.Uniform(0.7, 1.3), sy = rng.Uniform(0.7, 1.3), sz = rng.Uniform(0.7, 1.3);
        int reach = (int)Math.Ceiling(radius * 1.6 * (1 + rim) / Math.Min(sx, Math.Min(sy, sz)));
        int x0 = Math.Max(0, cx - reach), x1 = Math.Min(size - 1, cx + reach);
        int y0 = Math.Max(0, cy - reach), y1 = Math.Min(size - 1, cy + reach);
        int z0 = Math.Max(0, cz - reach), z1 = Math.Min(size - 1, cz + reach);
        int bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
        var shape = SmoothNoise.Field(bx, by, bz, 5, rng);
        var texture = SmoothNoise.Field(bx, by, bz, Math.Max(2, bx / 3.0), rng);
        int voxels = 0;
        for (int z = z0; z <= z1; z++)
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    int i = (z * size + y) * size + x;
                    if (!PhantomAnatomy.IsParenchyma((PhantomTissue)labels[i])) continue;
                    int b = ((z - z0) * by + (y - y0)) * bx + (x - x0);
                    double dx = (x - cx) / sx, dy = (y - cy) / sy, dz = (z - cz) / sz;
                    double d = Math.Sqrt(dx * dx + dy * dy + dz * dz) / radius * (1 + roughness * shape[b]);
                    float? value = paint(d, clean[i], texture[b], labels[i] == (byte)PhantomTissue.WhiteMatter);
                    if (value is not float v) continue;
                    clean[i] = v;
                    if (mask[i] == 0) { mask[i] = 1; voxels++; }
                }
        return new PhantomLesion(kind, cx, cy, cz, radius, voxels);
    }

    private static double SmoothStep(double e0, double e1, double x)
    {
        double t = Math.Clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }
}
