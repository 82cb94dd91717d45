#!/usr/bin/python3
"""Writes small NIfTI fixtures with nibabel (the reference) and expected.json with, per file, what nibabel
reads back: shape, datatype code, img.affine (get_best_affine), zooms, and every value of get_fdata() in
Fortran (x-fastest) order, plus their sum.
Run with Debian's python: /usr/bin/python3 tests/golden/make_nifti_fixtures.py"""
import gzip, json, os, struct
import numpy as np
import nibabel as nib

out = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Fixtures", "nifti")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


def oblique(zooms, offset, angle=0.3):
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    a = np.eye(4)
    a[:3, :3] = rot @ np.diag(zooms)
    a[:3, 3] = offset
    return a


def save(name, img):
    nib.save(img, os.path.join(out, name))


# 1. int16 with scl_slope/scl_inter, sform only (code 2).
data = rng.integers(-1000, 1000, (6, 5, 4)).astype(np.int16)
img = nib.Nifti1Image(data, oblique([1.5, 1.2, 3.0], [-10, 20, 5]))
img.header.set_slope_inter(0.5, 10.0)
img.header.set_qform(None, code=0)
save("scaled_i16.nii", img)

# 2. float32 gzipped, sform and qform both set (qform from a different affine, so the choice matters).
data = rng.standard_normal((5, 4, 3)).astype(np.float32)
img = nib.Nifti1Image(data, oblique([2.0, 2.0, 2.0], [1, 2, 3], angle=-0.5))
img.header.set_qform(np.diag([9.0, 9.0, 9.0, 1.0]), code=1)
save("sform_f32.nii.gz", img)

# 3. NIfTI-2 float64.
data = rng.standard_normal((4, 3, 5)) * 100
save("nifti2_f64.nii", nib.Nifti2Image(data, oblique([0.8, 0.9, 1.1], [-50, -60, -70], angle=0.1)))

# 4. Big-endian int32 (sform).
data = rng.integers(-2**30, 2**30, (3, 4, 5)).astype(np.int32)
hdr = nib.Nifti1Header(endianness=">")
hdr.set_data_dtype(np.int32)
save("big_endian_i32.nii", nib.Nifti1Image(data, np.diag([1.0, 2.0, 3.0, 1.0]), header=hdr))

# 5. qform only (oblique, left-handed: qfac = -1), uint8.
data = rng.integers(0, 256, (5, 6, 3)).astype(np.uint8)
affine = oblique([1.0, 1.25, 2.5], [30, -20, 10], angle=0.7) @ np.diag([1, 1, -1, 1.0])
img = nib.Nifti1Image(data, None)
img.header.set_qform(affine, code=1)
img.header.set_sform(None, code=0)
save("qform_only_u8.nii", img)

# 6. No transform at all (both codes 0): nibabel falls back to its base affine. uint16.
data = rng.integers(0, 65535, (4, 4, 3)).astype(np.uint16)
img = nib.Nifti1Image(data, None)
img.header.set_zooms((2.0, 3.0, 4.0))
img.header.set_qform(None, code=0)
img.header.set_sform(None, code=0)
save("no_transform_u16.nii", img)

# 7. With a header extension (vox_offset > 352), float32.
data = rng.standard_normal((3, 3, 3)).astype(np.float32)
img = nib.Nifti1Image(data, np.diag([1.0, 1.0, 1.0, 1.0]))
img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"MedAnomaly fixture with an extension" * 3))
save("extension_f32.nii", img)

# 8. Remaining datatypes, and a 4D image.
save("dtype_i8.nii", nib.Nifti1Image(rng.integers(-128, 128, (3, 2, 2)).astype(np.int8), np.eye(4)))
save("dtype_u32.nii", nib.Nifti1Image(rng.integers(0, 2**32 - 1, (2, 3, 2)).astype(np.uint32), np.eye(4)))
save("dtype_i64.nii", nib.Nifti1Image(rng.integers(-2**40, 2**40, (2, 2, 3)).astype(np.int64), np.eye(4), dtype=np.int64))
save("four_d_f32.nii", nib.Nifti1Image(rng.standard_normal((3, 2, 2, 4)).astype(np.float32), np.diag([2, 2, 2, 1.0])))

def raw_vox_offset(path):
    """vox_offset as stored in the file (nibabel's loaded header reports 0 for single files)."""
    raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read(540)
    order = "<" if struct.unpack("<i", raw[:4])[0] in (348, 540) else ">"
    if struct.unpack(order + "i", raw[:4])[0] == 348:
        return int(struct.unpack(order + "f", raw[108:112])[0])
    return struct.unpack(order + "q", raw[168:176])[0]


expected = {}
for name in sorted(os.listdir(out)):
    if not (name.endswith(".nii") or name.endswith(".nii.gz")):
        continue
    img = nib.load(os.path.join(out, name))
    values = img.get_fdata()
    expected[name] = {
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
        "shape": list(img.shape),
        "datatype": int(img.header["datatype"]),
        "vox_offset": raw_vox_offset(os.path.join(out, name)),
        "big_endian": img.header.endianness == ">",
        "zooms": [float(z) for z in img.header.get_zooms()[:3]],
        "qform_code": int(img.header["qform_code"]),
        "sform_code": int(img.header["sform_code"]),
        "affine": img.affine.tolist(),
        "sum": float(values.sum()),
        "values": [float(v) for v in values.ravel(order="F")],
    }
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", len(expected), "fixtures to", out)
