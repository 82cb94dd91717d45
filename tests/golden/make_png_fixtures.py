#!/usr/bin/python3
"""Writes small PNG fixtures and expected.json (per file: width, height, bit depth, and the grey value of
every pixel in [0,1], row-major). Decoding is done by Pillow (the reference); colour is reduced to grey with
ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B; alpha is ignored. Files Pillow cannot write (2/4-bit grey,
Adam7-interlaced, every filter type) are encoded here with zlib + struct and then checked to decode
identically with Pillow.
Run with Debian's python: /usr/bin/python3 tests/golden/make_png_fixtures.py"""
import json, os, struct, zlib
import numpy as np
from PIL import Image

out = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Fixtures", "png")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
W, H = 7, 5  # odd sizes: partial bytes for sub-byte depths, uneven Adam7 passes


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """Samples (ints) of one row to bytes, big-endian, MSB-first for depths < 8."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(s)) for s in samples)
    if depth == 8:
        return bytes(int(s) for s in samples)
    per = 8 // depth
    out_bytes = bytearray((len(samples) + per - 1) // per)
    for i, s in enumerate(samples):
        out_bytes[i // per] |= int(s) << (8 - depth * (i % per + 1))
    return bytes(out_bytes)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_rows(rows, bpp, filters):
    """Applies PNG filter filters[i % len] to scanline i; returns the filtered stream."""
    outb, prev = bytearray(), bytes(len(rows[0])) if rows else b""
    for i, row in enumerate(rows):
        f = filters[i % len(filters)]
        res = bytearray()
        for x in range(len(row)):
            a = row[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
            res.append((row[x] - pred) & 0xFF)
        outb += bytes([f]) + res
        prev = row
    return bytes(outb)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def encode(samples, depth, colour, channels, interlace=False, palette=None):
    """samples: int array [H, W, channels]. Cycles through all five filter types."""
    h, w = samples.shape[:2]
    bpp = max(1, channels * depth // 8)
    filters = [0, 1, 2, 3, 4]
    if not interlace:
        rows = [pack_row(samples[y].reshape(-1), depth) for y in range(h)]
        raw = filter_rows(rows, bpp, filters)
    else:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            rows = [pack_row(sub[y].reshape(-1), depth) for y in range(sub.shape[0])]
            raw += filter_rows(rows, bpp, filters)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 1 if interlace else 0))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    # Split IDAT in two to exercise concatenation.
    z = zlib.compress(raw, 9)
    png += chunk(b"IDAT", z[: len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2 :]) + chunk(b"IEND", b"")
    return png


def luma(rgb):
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def grey_of(img):
    """Pillow's decoded pixels → grey in [0, 1] (the reference values)."""
    mode = img.mode
    if mode == "1":
        return np.asarray(img, np.float64)
    if mode in ("I;16", "I;16B", "I"):
        return np.asarray(img, np.float64) / 65535.0
    if mode == "L":
        return np.asarray(img, np.float64) / 255.0
    if mode == "LA":
        return np.asarray(img, np.float64)[..., 0] / 255.0
    if mode == "P":
        return luma(np.asarray(img.convert("RGB"))) / 255.0
    if mode in ("RGB", "RGBA"):
        return luma(np.asarray(img)[..., :3]) / 255.0
    raise ValueError(mode)


expected = {}


def record(name, values, depth):
    values = np.asarray(values, np.float64)
    expected[name] = {"width": int(values.shape[1]), "height": int(values.shape[0]), "bit_depth": depth,
                      "values": [float(v) for v in values.reshape(-1)]}


# --- written by Pillow ---
grey8 = rng.integers(0, 256, (H, W)).astype(np.uint8)
Image.fromarray(grey8, "L").save(os.path.join(out, "grey8.png"))
grey16 = rng.integers(0, 65536, (H, W)).astype(np.uint16)
Image.fromarray(grey16.astype(np.uint16), "I;16").save(os.path.join(out, "grey16.png"))
bw = rng.integers(0, 2, (H, W)).astype(bool)
Image.fromarray(bw).convert("1").save(os.path.join(out, "grey1.png"))
rgb = rng.integers(0, 256, (H, W, 3)).astype(np.uint8)
Image.fromarray(rgb, "RGB").save(os.path.join(out, "rgb8.png"))
rgba = rng.integers(0, 256, (H, W, 4)).astype(np.uint8)
Image.fromarray(rgba, "RGBA").save(os.path.join(out, "rgba8.png"))
la = rng.integers(0, 256, (H, W, 2)).astype(np.uint8)
Image.fromarray(la, "LA").save(os.path.join(out, "grey_alpha8.png"))
for bits in (1, 2, 4, 8):
    n = 2 ** bits
    pal = rng.integers(0, 256, (n, 3)).astype(np.uint8)
    idx = rng.integers(0, n, (H, W)).astype(np.uint8)
    img = Image.fromarray(idx, "P")
    img.putpalette(pal.reshape(-1).tolist())
    img.save(os.path.join(out, f"palette{bits}.png"), bits=bits)
pillow_files = {"grey8.png": 8, "grey16.png": 16, "grey1.png": 1, "rgb8.png": 8, "rgba8.png": 8,
                "grey_alpha8.png": 8, "palette1.png": 8, "palette2.png": 8, "palette4.png": 8, "palette8.png": 8}
for name, depth in pillow_files.items():
    record(name, grey_of(Image.open(os.path.join(out, name))), depth)

# --- encoded here (all filter types), checked against Pillow's decoding ---
crafted = {}
for depth in (2, 4):
    s = rng.integers(0, 2 ** depth, (H, W, 1))
    crafted[f"grey{depth}_filters.png"] = (encode(s, depth, 0, 1), s[..., 0] / (2 ** depth - 1), depth)
s = rng.integers(0, 65536, (H, W, 3))
crafted["rgb16_filters.png"] = (encode(s, 16, 2, 3), luma(s) / 65535.0, 16)
s = rng.integers(0, 256, (H, W, 1))
crafted["grey8_interlaced.png"] = (encode(s, 8, 0, 1, interlace=True), s[..., 0] / 255.0, 8)
s = rng.integers(0, 16, (H, W, 1))
crafted["grey4_interlaced.png"] = (encode(s, 4, 0, 1, interlace=True), s[..., 0] / 15.0, 4)
s = rng.integers(0, 256, (H, W, 4))
crafted["rgba8_interlaced.png"] = (encode(s, 8, 6, 4, interlace=True), luma(s[..., :3]) / 255.0, 8)
pal = rng.integers(0, 256, (5, 3))
s = rng.integers(0, 5, (H, W, 1))
crafted["palette4_interlaced.png"] = (encode(s, 4, 3, 1, interlace=True, palette=pal), luma(pal[s[..., 0]]) / 255.0, 8)
s = rng.integers(0, 65536, (H, W, 2))
crafted["grey_alpha16_filters.png"] = (encode(s, 16, 4, 2), s[..., 0] / 65535.0, 16)

for name, (data, values, depth) in crafted.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    img = Image.open(os.path.join(out, name))
    if not name.startswith(("rgb16", "grey_alpha16")):  # Pillow reduces 16-bit colour to 8 bits
        assert np.allclose(grey_of(img), values, atol=1e-12), name
    else:
        img.load()
    record(name, values, depth)

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", len(expected), "fixtures to", out)
