"""A scalar pure-Python port of Stefan Gustavson's public-domain SimplexNoise.java (2012), 2D and 3D, and AnoDDPM's
fractal sum  sum_i p^i S(x/f_i, y/f_i[, z/f_i]),  f_{i+1} = f_i/2.  make_corruptions_golden.py pins
GustavsonSimplex and SimplexNoise to it; benchmarks/peers/simplex_stats.py compares its spread with AnoDDPM's.
"""
import math

import numpy as np

GRAD3 = [(1, 1, 0), (-1, 1, 0), (1, -1, 0), (-1, -1, 0), (1, 0, 1), (-1, 0, 1), (1, 0, -1), (-1, 0, -1),
         (0, 1, 1), (0, -1, 1), (0, 1, -1), (0, -1, -1)]
F2 = 0.5 * (math.sqrt(3.0) - 1.0)
G2 = (3.0 - math.sqrt(3.0)) / 6.0
F3 = 1.0 / 3.0
G3 = 1.0 / 6.0


def fastfloor(x):
    xi = int(x)
    return xi - 1 if x < xi else xi


def tables(p):
    perm = [p[i & 255] for i in range(512)]
    return perm, [v % 12 for v in perm]


def noise2(p, xin, yin):
    perm, mod12 = tables(p)
    s = (xin + yin) * F2
    i = fastfloor(xin + s)
    j = fastfloor(yin + s)
    t = (i + j) * G2
    x0 = xin - (i - t)
    y0 = yin - (j - t)
    if x0 > y0:
        i1, j1 = 1, 0
    else:
        i1, j1 = 0, 1
    x1 = x0 - i1 + G2
    y1 = y0 - j1 + G2
    x2 = x0 - 1.0 + 2.0 * G2
    y2 = y0 - 1.0 + 2.0 * G2
    ii = i & 255
    jj = j & 255
    gi0 = mod12[ii + perm[jj]]
    gi1 = mod12[ii + i1 + perm[jj + j1]]
    gi2 = mod12[ii + 1 + perm[jj + 1]]
    n = 0.0
    for (gi, x, y) in ((gi0, x0, y0), (gi1, x1, y1), (gi2, x2, y2)):
        t = 0.5 - x * x - y * y
        if t >= 0:
            t *= t
            g = GRAD3[gi]
            n += t * t * (g[0] * x + g[1] * y)
    return 70.0 * n


def noise3(p, xin, yin, zin):
    perm, mod12 = tables(p)
    s = (xin + yin + zin) * F3
    i = fastfloor(xin + s)
    j = fastfloor(yin + s)
    k = fastfloor(zin + s)
    t = (i + j + k) * G3
    x0 = xin - (i - t)
    y0 = yin - (j - t)
    z0 = zin - (k - t)
    if x0 >= y0:
        if y0 >= z0:
            i1, j1, k1, i2, j2, k2 = 1, 0, 0, 1, 1, 0
        elif x0 >= z0:
            i1, j1, k1, i2, j2, k2 = 1, 0, 0, 1, 0, 1
        else:
            i1, j1, k1, i2, j2, k2 = 0, 0, 1, 1, 0, 1
    else:
        if y0 < z0:
            i1, j1, k1, i2, j2, k2 = 0, 0, 1, 0, 1, 1
        elif x0 < z0:
            i1, j1, k1, i2, j2, k2 = 0, 1, 0, 0, 1, 1
        else:
            i1, j1, k1, i2, j2, k2 = 0, 1, 0, 1, 1, 0
    corners = [
        (x0, y0, z0, 0, 0, 0),
        (x0 - i1 + G3, y0 - j1 + G3, z0 - k1 + G3, i1, j1, k1),
        (x0 - i2 + 2.0 * G3, y0 - j2 + 2.0 * G3, z0 - k2 + 2.0 * G3, i2, j2, k2),
        (x0 - 1.0 + 3.0 * G3, y0 - 1.0 + 3.0 * G3, z0 - 1.0 + 3.0 * G3, 1, 1, 1),
    ]
    ii, jj, kk = i & 255, j & 255, k & 255
    n = 0.0
    for (x, y, z, di, dj, dk) in corners:
        gi = mod12[ii + di + perm[jj + dj + perm[kk + dk]]]
        t = 0.6 - x * x - y * y - z * z
        if t >= 0:
            t *= t
            g = GRAD3[gi]
            n += t * t * (g[0] * x + g[1] * y + g[2] * z)
    return 32.0 * n


def fractal(p, h, w, octaves, persistence, frequency, z=None):
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            f, a, total = frequency, 1.0, 0.0
            for _ in range(octaves):
                total += a * (noise2(p, c / f, r / f) if z is None else noise3(p, c / f, r / f, z / f))
                f /= 2
                a *= persistence
            out[r, c] = total
    return out
