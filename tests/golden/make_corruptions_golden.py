#!/usr/bin/python3
"""Expected values for tests/MedAnomaly.Tests/Corruptions/*Tests.cs.

Run with Debian's interpreter:  /usr/bin/python3 tests/golden/make_corruptions_golden.py
It rewrites tests/MedAnomaly.Tests/Corruptions/CorruptionsGolden.g.cs.

What it computes (inputs are integer patterns that the C# tests rebuild with the same formulas):
  * Simplex noise: a scalar pure-Python port of Stefan Gustavson's public-domain SimplexNoise.java (2012),
    2D and 3D, with two explicit permutation tables (random.Random(2022).shuffle and the reversed identity),
    at scattered points and as AnoDDPM's fractal sum  sum_i p^i S(x/f_i, y/f_i[, z/f_i]),  f_{i+1} = f_i/2.
  * Gaussian blur: scipy.ndimage.gaussian_filter(x, sigma, mode="reflect", truncate=4.0), float64.
  * FPI blend (Tan et al. 2020; DISYRE fpi.py):  where(m>0, clip(x(1-a m) + p a m, 0, 1), x).
  * DISYRE's "minmax" patch normalisation (fpi.py, verbatim formula incl. the 1e-3).
  * DAG bias (DISYRE bias.py): scipy.cluster.vq.vq level indices, per-level counts under the mask,
    level indicator blurred with gaussian_filter(sigma=1), clip(y + s a m B, 0, 1).
"""
import os
import random

import numpy as np
import scipy
import scipy.ndimage as ndi
from scipy.cluster import vq

from gustavson_simplex import F3, G3, fastfloor, fractal, noise2, noise3

OUT = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Corruptions", "CorruptionsGolden.g.cs")

PERM_A = list(range(256))
random.Random(2022).shuffle(PERM_A)
PERM_B = list(range(255, -1, -1))
assert sorted(PERM_A) == list(range(256))

rng = random.Random(7)
POINTS = [(rng.uniform(-40, 300), rng.uniform(-40, 300), rng.uniform(-40, 300)) for _ in range(60)]
POINTS += [(0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (0.5, 0.25, 0.125), (-0.5, 2.75, -3.0), (255.9, 256.1, 511.5),
           (0.3, 0.3, 0.3), (0.7, 0.2, 0.5), (0.2, 0.7, 0.5), (0.5, 0.2, 0.7), (0.2, 0.5, 0.7), (0.7, 0.5, 0.2),
           (0.5, 0.7, 0.2)]


def rank_order(x, y, z):
    """Which of Gustavson's six 3D branches a point takes (x0, y0, z0 sorted)."""
    s = (x + y + z) * F3
    i, j, k = fastfloor(x + s), fastfloor(y + s), fastfloor(z + s)
    t = (i + j + k) * G3
    d = (x - (i - t), y - (j - t), z - (k - t))
    return tuple(sorted(range(3), key=lambda a: -d[a]))


assert len({rank_order(*pt) for pt in POINTS}) == 6, "the points must visit all six 3D branches"
N2 = [[noise2(p, x, y) for (x, y, _) in POINTS] for p in (PERM_A, PERM_B)]
N3 = [[noise3(p, x, y, z) for (x, y, z) in POINTS] for p in (PERM_A, PERM_B)]
FRACTAL_H, FRACTAL_W = 10, 12
FRACTAL_2D = [fractal(p, FRACTAL_H, FRACTAL_W, 3, 0.8, 8.0) for p in (PERM_A, PERM_B)]
FRACTAL_Z = [5.0, 17.0]
FRACTAL_3D = [fractal(p, FRACTAL_H, FRACTAL_W, 3, 0.8, 8.0, z) for p, z in zip((PERM_A, PERM_B), FRACTAL_Z)]
FRACTAL_2D_STD = [(f - f.mean()) / f.std() for f in FRACTAL_2D]   # population std, as SimplexNoise.Normalize


# ---------------------------------------------------------------- shared input patterns
def pattern(n, mul, mod, offset=0):
    """((k*mul + offset) % mod) / (mod - 1) as float32: exact, rebuilt by the C# tests."""
    k = np.arange(n, dtype=np.int64)
    return (((k * mul + offset) % mod) / (mod - 1.0)).astype(np.float32)


# Gaussian blur: a rectangle plus a pattern, 20x24.
BLUR_H, BLUR_W = 20, 24
blur_in = pattern(BLUR_H * BLUR_W, 37, 101).reshape(BLUR_H, BLUR_W).astype(np.float64)
blur_in[3:14, 5:19] += 1.0
BLUR_SIGMAS = [0.3, 1.0, 2.7, 7.5]
BLUR_OUT = [ndi.gaussian_filter(blur_in, s, mode="reflect", truncate=4.0) for s in BLUR_SIGMAS]

# FPI blend: x, p [2,1,8,8]; soft mask with zeros; alpha per image.
FPI_N, FPI_S = 2, 8
NPIX = FPI_N * FPI_S * FPI_S
fx = pattern(NPIX, 37, 101).reshape(FPI_N, 1, FPI_S, FPI_S)
fp = pattern(NPIX, 53, 97, 11).reshape(FPI_N, 1, FPI_S, FPI_S)
fm = np.clip(pattern(NPIX, 29, 89, 5) * 3 - 1.5, 0, 1).astype(np.float32).reshape(FPI_N, 1, FPI_S, FPI_S)
FPI_ALPHA = np.array([0.3, 0.85], dtype=np.float32)
a = FPI_ALPHA.astype(np.float64)[:, None, None, None]
blend = np.clip(fx * (1 - a * fm) + fp * a * fm, 0, 1)
FPI_OUT = np.where(fm > 0, blend, fx)

# DISYRE minmax (fpi.py) on one image [1,8,8] with the first mask.
image, fp_big, shape = fx[0].astype(np.float64), (fp[0] * 0.4 + 0.3).astype(np.float64), fm[0]
mask_non_zeros = shape > 0
masked_voxels_image = image[mask_non_zeros]
masked_voxels_fp = fp_big[mask_non_zeros]
fp_min, src_min = masked_voxels_fp.min(), masked_voxels_image.min()
fp_max, src_max = masked_voxels_fp.max(), masked_voxels_image.max()
mm = (fp_big - fp_min) / (fp_max - fp_min + 1e-3)
mm = (mm * (src_max - src_min)) + src_min
MINMAX_OUT = mm.clip(0., 1.)

# DAG bias (bias.py) on y [1,12,12] with a soft mask; the selected levels are fixed.
LEVELS = np.array([0.00565079, 0.38283867, 0.61224216, 0.76920754, 0.9385473])
DAG_S = 12
dy = pattern(DAG_S * DAG_S, 41, 103, 3).reshape(1, DAG_S, DAG_S)
dm = np.clip(pattern(DAG_S * DAG_S, 17, 79, 2) * 2.5 - 0.8, 0, 1).astype(np.float32).reshape(1, DAG_S, DAG_S)
image_q = vq.vq(dy.astype(np.float64).flatten(), code_book=LEVELS)[0].reshape(dy.shape)
onehot = np.take(np.eye(5), image_q, axis=0)
DAG_COUNTS = np.matmul((dm > 0).flatten()[None].astype("int"), onehot.reshape(-1, 5)).squeeze(0)
DAG_SELECTED = np.array([True, False, True, False, True])
mask_ranges = np.matmul(np.expand_dims(onehot, -2), DAG_SELECTED[None, None, None, :, None].astype("int")).squeeze(-1).squeeze(-1)
mask_bias = ndi.gaussian_filter(mask_ranges.astype(np.float32)[0].astype(np.float64), 1.0, mode="reflect")[None]
bias_shape = dm * mask_bias
DAG_SIGNED_ALPHA = -0.35
biased = np.clip(dy * (1 - bias_shape) + (dy + DAG_SIGNED_ALPHA) * bias_shape, 0, 1)
DAG_OUT = np.where(bias_shape > 0, biased, dy)


# ---------------------------------------------------------------- C# output
def doubles(a):
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(a, dtype=np.float64).ravel()) + "]"


def longs(a):
    return "[" + ", ".join(str(int(v)) for v in np.asarray(a).ravel()) + "]"


lines = [
    f"// <auto-generated> by tests/golden/make_corruptions_golden.py (numpy {np.__version__}, scipy {scipy.__version__}). Do not edit. </auto-generated>",
    "namespace MedAnomaly.Tests.Corruptions;",
    "",
    "public static class CorruptionsGolden",
    "{",
    "    /// <summary>Permutation tables: random.Random(2022).shuffle(range(256)) and 255…0.</summary>",
    f"    public static readonly long[] PermA = {longs(PERM_A)};",
    f"    public static readonly long[] PermB = {longs(PERM_B)};",
    "    /// <summary>Sample points (x, y, z), row-major [P,3].</summary>",
    f"    public static readonly double[] Points = {doubles(POINTS)};",
    "    /// <summary>Gustavson 2D noise at (x, y) of each point, [2 perms, P].</summary>",
    f"    public static readonly double[] Noise2d = {doubles(N2)};",
    "    /// <summary>Gustavson 3D noise at each point, [2 perms, P].</summary>",
    f"    public static readonly double[] Noise3d = {doubles(N3)};",
    f"    public const int FractalHeight = {FRACTAL_H}, FractalWidth = {FRACTAL_W}, FractalOctaves = 3;",
    "    public const double FractalPersistence = 0.8, FractalFrequency = 8.0;",
    f"    public static readonly double[] FractalZ = {doubles(FRACTAL_Z)};",
    "    /// <summary>Raw 2D fractal sums [2 perms, H, W]; 3D with z = FractalZ[perm]; 2D standardised (population std).</summary>",
    f"    public static readonly double[] Fractal2d = {doubles(FRACTAL_2D)};",
    f"    public static readonly double[] Fractal3d = {doubles(FRACTAL_3D)};",
    f"    public static readonly double[] Fractal2dStandardised = {doubles(FRACTAL_2D_STD)};",
    "",
    f"    public const int BlurHeight = {BLUR_H}, BlurWidth = {BLUR_W};",
    f"    public static readonly double[] BlurSigmas = {doubles(BLUR_SIGMAS)};",
    "    /// <summary>scipy gaussian_filter(mode=reflect) of the blur input for each σ, [σ, H, W].</summary>",
    f"    public static readonly double[] BlurOut = {doubles(BLUR_OUT)};",
    "",
    f"    public static readonly double[] FpiAlpha = {doubles(FPI_ALPHA)};",
    "    /// <summary>where(m>0, clip(x(1−αm) + pαm, 0, 1), x), [2,1,8,8].</summary>",
    f"    public static readonly double[] FpiOut = {doubles(FPI_OUT)};",
    "    /// <summary>DISYRE minmax of (0.4·p[0] + 0.3) to x[0]'s range under m[0], [1,8,8].</summary>",
    f"    public static readonly double[] MinMaxOut = {doubles(MINMAX_OUT)};",
    "",
    f"    public const int DagSize = {DAG_S};",
    f"    public const double DagSignedAlpha = {DAG_SIGNED_ALPHA!r};",
    f"    public static readonly bool[] DagSelected = [{', '.join('true' if s else 'false' for s in DAG_SELECTED)}];",
    "    /// <summary>scipy.cluster.vq.vq level index of each pixel of y, [1,12,12].</summary>",
    f"    public static readonly long[] DagLevelIndex = {longs(image_q)};",
    f"    public static readonly long[] DagCounts = {longs(DAG_COUNTS)};",
    "    /// <summary>m · gaussian_filter(indicator of selected levels, σ=1), [1,12,12].</summary>",
    f"    public static readonly double[] DagBiasShape = {doubles(bias_shape)};",
    f"    public static readonly double[] DagOut = {doubles(DAG_OUT)};",
    "}",
    "",
]
with open(OUT, "w") as f:
    f.write("\n".join(lines))
print("wrote", os.path.normpath(OUT))
print("2D noise range", min(min(r) for r in N2), max(max(r) for r in N2), " 3D", min(min(r) for r in N3), max(max(r) for r in N3))
