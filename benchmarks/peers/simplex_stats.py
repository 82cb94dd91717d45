#!/usr/bin/python3
"""The spread of AnoDDPM's simplex field: the authors' OpenSimplex octave sum against ours (Gustavson's simplex).

Both are AnoDDPM's raw fractal sum (6 octaves, persistence 0.8, frequency 64, halved per octave, the timestep as
third coordinate) on a 64×64 grid: theirs is simplex.py's rand_3d_fixed_T_octaves from the authors' tree (KdotJPG's
OpenSimplex), ours tests/golden/gustavson_simplex.py, the scalar port of Gustavson's code that the golden tests pin
GustavsonSimplex to (1e-12). The field replaces ε in q(x_t | x_0), so its standard deviation is the noise level.

  /usr/bin/python3 benchmarks/peers/simplex_stats.py --code PEERS/anoddpm [--fields 12] [--seed 0]
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN_DIR = os.path.join(HERE, "..", "..", "tests", "golden")
OCTAVES, PERSISTENCE, FREQUENCY, SIZE, SAMPLE_DISTANCE = 6, 0.8, 64, 64, 800


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", required=True, help="the authors' tree, Julian-Wyatt/AnoDDPM @ 3052f04")
    parser.add_argument("--fields", type=int, default=12, help="fields per side, each at a random t < 800")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.code, "simplex.py")):
        sys.exit(f"error: --code {args.code}: not the AnoDDPM tree (no simplex.py)")
    if args.fields < 2:
        sys.exit(f"error: --fields must be at least 2, got {args.fields}")
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "anoddpm-peer-numba"))
    sys.path.insert(0, os.path.abspath(args.code))
    sys.path.insert(0, GOLDEN_DIR)
    from simplex import Simplex_CLASS
    from gustavson_simplex import fractal

    np.random.seed(args.seed)   # their newSeed() draws its seed from numpy's global generator
    rng = np.random.default_rng(args.seed)
    opensimplex, their_stds, our_stds = Simplex_CLASS(), [], []
    for _ in range(args.fields):
        t = int(rng.integers(0, SAMPLE_DISTANCE))
        opensimplex.newSeed()
        their_stds.append(opensimplex.rand_3d_fixed_T_octaves((SIZE, SIZE), np.array([t]), OCTAVES, PERSISTENCE, FREQUENCY).std())
        perm = [int(v) for v in rng.permutation(256)]
        our_stds.append(fractal(perm, SIZE, SIZE, OCTAVES, PERSISTENCE, FREQUENCY, z=t).std())
    for name, stds in (("theirs (OpenSimplex)", their_stds), ("ours (Gustavson)", our_stds)):
        print(f"{name:22s} std of a {SIZE}² field: {np.mean(stds):.3f} ± {np.std(stds, ddof=1):.3f} "
              f"(min {min(stds):.3f}, max {max(stds):.3f}, {args.fields} fields)")
    print(f"ratio ours / theirs: {np.mean(our_stds) / np.mean(their_stds):.2f}")


if __name__ == "__main__":
    main()
