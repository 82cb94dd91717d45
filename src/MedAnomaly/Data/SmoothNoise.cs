using MedAnomaly.Randomness;
namespace MedAnomaly.Data;

/// <summary>
/// Smooth random fields on a regular grid ("value noise"): random values on a coarse lattice,
/// interpolated with smoothstep-weighted linear interpolation. The interpolation is a tensor product
/// of 1D interpolations, so a field is computed in three cheap separable passes (x, then y, then z).
/// Values lie in [-1, 1]; <c>cells</c> lattice cells span the grid along each axis (larger = finer detail).
/// </summary>
public static class SmoothNoise
{
    /// <summary>A smooth field of shape [nz, ny, nx] (x fastest) with <paramref name="cells"/> lattice cells
    /// across each axis; lattice values are uniform in [-1, 1].</summary>
    public static float[] Field(int nx, int ny, int nz, double cells, SeededRandom rng)
    {
        if (nx <= 0 || ny <= 0 || nz <= 0) throw new ArgumentException($"grid size must be positive, got {nx}x{ny}x{nz}");
        if (!(cells > 0)) throw new ArgumentException($"cells must be positive, got {cells}");
        int lattice = (int)Math.Ceiling(cells) + 2;
        var grid = new float[lattice * lattice * lattice];
        for (int i = 0; i < grid.Length; i++) grid[i] = (float)(2 * rng.NextDouble() - 1);

        var (ix, wx) = Weights(nx, cells);
        var (iy, wy) = Weights(ny, cells);
        var (iz, wz) = Weights(nz, cells);

        // Pass 1: along x. a[lz, ly, x]
        var a = new float[lattice * lattice * nx];
        for (int lz = 0; lz < lattice; lz++)
            for (int ly = 0; ly < lattice; ly++)
            {
                int src = (lz * lattice + ly) * lattice, dst = (lz * lattice + ly) * nx;
                for (int x = 0; x < nx; x++)
                    a[dst + x] = grid[src + ix[x]] + wx[x] * (grid[src + ix[x] + 1] - grid[src + ix[x]]);
            }
        // Pass 2: along y. b[lz, y, x]
        var b = new float[lattice * ny * nx];
        for (int lz = 0; lz < lattice; lz++)
            for (int y = 0; y < ny; y++)
            {
                int s0 = (lz * lattice + iy[y]) * nx, s1 = s0 + nx, dst = (lz * ny + y) * nx;
                float w = wy[y];
                for (int x = 0; x < nx; x++) b[dst + x] = a[s0 + x] + w * (a[s1 + x] - a[s0 + x]);
            }
        // Pass 3: along z.
        var result = new float[nz * ny * nx];
        int plane = ny * nx;
        for (int z = 0; z < nz; z++)
        {
            int s0 = iz[z] * plane, s1 = s0 + plane, dst = z * plane;
            float w = wz[z];
            for (int i = 0; i < plane; i++) result[dst + i] = b[s0 + i] + w * (b[s1 + i] - b[s0 + i]);
        }
        return result;
    }

    /// <summary>Fractal sum of <paramref name="octaves"/> fields, cells doubling and amplitude multiplied by
    /// <paramref name="persistence"/> each octave, normalised so the result stays in [-1, 1].</summary>
    public static float[] Fractal(int nx, int ny, int nz, double cells, int octaves, double persistence, SeededRandom rng)
    {
        var sum = new float[nx * ny * nz];
        double amplitude = 1, total = 0;
        for (int o = 0; o < octaves; o++)
        {
            var f = Field(nx, ny, nz, cells * (1 << o), rng);
            float amp = (float)amplitude;
            for (int i = 0; i < sum.Length; i++) sum[i] += amp * f[i];
            total += amplitude;
            amplitude *= persistence;
        }
        float inv = (float)(1 / total);
        for (int i = 0; i < sum.Length; i++) sum[i] *= inv;
        return sum;
    }

    /// <summary>For each of n output samples: the lattice index below it and the smoothstep weight of the
    /// next lattice point. Sample i sits at lattice coordinate (i + 0.5) / n · cells (+ 0.5 margin).</summary>
    private static (int[] index, float[] weight) Weights(int n, double cells)
    {
        var index = new int[n];
        var weight = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = (i + 0.5) / n * cells + 0.5;
            int i0 = (int)Math.Floor(t);
            double f = t - i0;
            index[i] = i0;
            weight[i] = (float)(f * f * (3 - 2 * f));
        }
        return (index, weight);
    }
}
