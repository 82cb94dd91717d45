#!/usr/bin/python3
"""Writes small .npy fixtures with numpy (the reference) and expected.json listing, per file, the shape, the
dtype name and every value (C order, as float64) as numpy's np.load reads it.
Run with Debian's python: /usr/bin/python3 tests/golden/make_npy_fixtures.py"""
import json, os
import numpy as np
from numpy.lib import format as npf

out = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Fixtures", "npy")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
cases = {
    "u1.npy": rng.integers(0, 256, (3, 4)).astype("|u1"),
    "i1.npy": rng.integers(-128, 128, (5,)).astype("|i1"),
    "i2_le.npy": rng.integers(-30000, 30000, (2, 3)).astype("<i2"),
    "i2_be.npy": rng.integers(-30000, 30000, (2, 3)).astype(">i2"),
    "u2_be.npy": rng.integers(0, 65535, (4,)).astype(">u2"),
    "i4.npy": rng.integers(-2**31, 2**31 - 1, (2, 2, 2)).astype("<i4"),
    "u4_be.npy": rng.integers(0, 2**32 - 1, (3,)).astype(">u4"),
    "i8_be.npy": rng.integers(-2**40, 2**40, (3,)).astype(">i8"),
    "f4.npy": rng.standard_normal((2, 3, 4)).astype("<f4"),
    "f4_be.npy": rng.standard_normal((3, 2)).astype(">f4"),
    "f8.npy": rng.standard_normal((4, 3)).astype("<f8"),
    "f8_be.npy": rng.standard_normal((2, 2)).astype(">f8"),
    "bool.npy": rng.integers(0, 2, (2, 5)).astype("|b1"),
    "scalar_f8.npy": np.array(3.25),
    "empty_f4.npy": np.zeros((0, 3), "<f4"),
    "fortran_f4.npy": np.asfortranarray(rng.standard_normal((2, 3, 4)).astype("<f4")),
    "fortran_i2_be.npy": np.asfortranarray(rng.integers(-999, 999, (3, 5)).astype(">i2")),
}
expected = {}
for name, arr in cases.items():
    np.save(os.path.join(out, name), arr)
versioned = {"v2_f4.npy": (2, 0), "v3_i4.npy": (3, 0)}
for name, version in versioned.items():
    arr = rng.standard_normal((3, 2)).astype("<f4") if "f4" in name else rng.integers(-50, 50, (4, 2)).astype("<i4")
    with open(os.path.join(out, name), "wb") as f:
        npf.write_array(f, arr, version=version)
for name in list(cases) + list(versioned):
    arr = np.load(os.path.join(out, name))
    expected[name] = {"shape": list(arr.shape), "dtype": arr.dtype.str[1:],
                      "values": [float(v) for v in arr.ravel(order="C")]}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", len(expected), "fixtures to", out)
