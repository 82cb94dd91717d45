"""Golden numbers for tests/MedAnomaly.Tests/Data/PreprocessTests.cs.

Run with Debian's python (numpy 1.24, torch 1.13):  /usr/bin/python3 tests/golden/make_preprocess_golden.py
Inputs are integer patterns (exact in float32) that the C# tests rebuild with the same formulas.
"""
import numpy as np
import torch
import torch.nn.functional as F


def pattern(n, mul=37, mod=101, scale=10.0, shift=2.0):
    i = np.arange(n)
    return (((i * mul) % mod) / scale - shift).astype(np.float32)


def fmt(a):
    return "new float[] { " + ", ".join(f"{float(v):.9g}f" for v in np.asarray(a, dtype=np.float64).ravel()) + " }"


# 1. numpy.quantile (default method "linear") and DISYRE's quantile scaling of a 1000-value "volume".
x = pattern(1000)
print("// quantiles of pattern(1000) at 0, 0.25, 0.5, 0.98, 0.999")
print("Quantiles =", [repr(float(np.quantile(x, q))) for q in (0, 0.25, 0.5, 0.98, 0.999)])
c = np.maximum(x, 0)
lo, hi = np.quantile(c, 0.0), np.quantile(c, 0.98)
scaled = np.clip((c - lo) / (hi - lo), 0, 1).astype(np.float32)
print("// quantile_scale(low=0, high=0.98, clip_below=0): qLow, qHigh, first 12, sum")
print("ScaleQ =", repr(float(lo)), repr(float(hi)))
print("ScaleFirst =", fmt(scaled[:12]))
print("ScaleSum =", repr(float(scaled.astype(np.float64).sum())))
fg = c[c > 0]
lo2, hi2 = np.quantile(fg, 0.01), np.quantile(fg, 0.9)
print("// foreground_only quantiles (0.01, 0.9) over values > 0:", repr(float(lo2)), repr(float(hi2)))

# 2. F.interpolate on a 7x9 image.
img = (((np.arange(63) * 37) % 101) / 101.0).astype(np.float32).reshape(7, 9)
t = torch.from_numpy(img)[None, None]
for name, size, mode, kw in [
    ("BilinearDown", (4, 5), "bilinear", {"align_corners": False}),
    ("BilinearUp", (11, 13), "bilinear", {"align_corners": False}),
    ("AreaDown", (3, 4), "area", {}),
    ("AreaOdd", (5, 6), "area", {}),
    ("NearestUp", (11, 13), "nearest", {}),
    ("NearestDown", (4, 5), "nearest", {}),
]:
    out = F.interpolate(t, size=size, mode=mode, **kw)[0, 0].numpy()
    print(f"// F.interpolate(7x9 -> {size[0]}x{size[1]}, mode={mode})")
    print(f"{name} = {fmt(out)};")

# 3. Centre crop/pad convention: offset floor((in-out)/2) for crops, pad floor((out-in)/2) before.
def center(a, oh, ow):
    h, w = a.shape
    out = np.zeros((oh, ow), np.float32)
    def rng(n, o):
        if o <= n:
            s = (n - o) // 2
            return slice(s, s + o), slice(0, o)
        b = (o - n) // 2
        return slice(0, n), slice(b, b + n)
    (sy, dy), (sx, dx) = rng(h, oh), rng(w, ow)
    out[dy, dx] = a[sy, sx]
    return out
print("// centre crop/pad 7x9 -> 4x12")
print(f"CropPad = {fmt(center(img, 4, 12))};")
