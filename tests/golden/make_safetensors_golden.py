#!/usr/bin/python3
"""Reference safetensors files for tests/MedAnomaly.Tests/Torch/SafetensorsTests.cs.

Run: /usr/bin/python3 tests/golden/make_safetensors_golden.py  (Debian python with torch 1.13)

The `safetensors` Python package is not installed here, so this is a small writer following the format
spec and the reference Rust implementation (huggingface/safetensors, safetensors/src/tensor.rs):

  * prepare(): tensors sorted by dtype, descending in the order of the Rust `Dtype` enum
    (BOOL < U8 < I8 < F8_E5M2 < F8_E4M3 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64),
    ties by name (Rust String ordering = byte-wise UTF-8); offsets assigned back to back from 0.
  * header = serde_json::to_string(Metadata): compact JSON, "__metadata__" first (only when metadata is
    given), then the tensors in that order, each {"dtype","shape","data_offsets"} in that key order;
    strings escaped as serde_json does (same as json.dumps(ensure_ascii=False)).
  * the header is padded with b' ' to a multiple of 8 bytes; u64 little-endian length; then the data.
  * metadata is a Rust HashMap (no defined order); with several keys we write them sorted byte-wise, the
    rule our C# writer follows too.

Tensor bytes come from torch itself (row-major, little-endian); f16/bf16 are made from float32 with
`.to(...)`, the same conversion kernel the C# side calls.
"""
import json
import os
import struct
import torch

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, "..", "MedAnomaly.Tests", "Fixtures", "safetensors")

RUST_DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
                    "I32", "U32", "F32", "F64", "I64", "U64"]
NAMES = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16", torch.float16: "F16",
         torch.bfloat16: "BF16", torch.int32: "I32", torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def tensor_bytes(t):
    t = t.contiguous().reshape(-1)
    if t.numel() == 0:
        return b""
    return t.view(torch.uint8).numpy().tobytes()


def serialize(tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-RUST_DTYPE_ORDER.index(NAMES[kv[1].dtype]), kv[0].encode("utf-8")))
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=lambda k: k.encode("utf-8"))}
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def all_dtypes():
    f32 = torch.float32
    return {
        "layer.weight": torch.tensor([[0.5, -1.25, 3.0], [1e-3, 65504.0, -0.0]], dtype=f32),
        "layer.bias": torch.tensor([1.0, 2.0, 3.0], dtype=f32),
        "scale": torch.tensor(0.1, dtype=torch.float64),
        "steps": torch.tensor([0, -1, 2 ** 40, -(2 ** 62)], dtype=torch.int64),
        "half": torch.tensor([[1.5, -2.0], [0.1, 65504.0]], dtype=f32).to(torch.float16),
        "bhalf": torch.tensor([[1.5, -2.0], [0.1, 3.0e38]], dtype=f32).to(torch.bfloat16),
        "i32": torch.tensor([-7, 0, 2 ** 31 - 1], dtype=torch.int32),
        "i16": torch.tensor([-32768, 123], dtype=torch.int16),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "mask": torch.tensor([[True, False], [False, True]]),
        "empty": torch.zeros(0, 3, dtype=f32),
        "naïve \"quoted\"\tname": torch.tensor([42.0], dtype=f32),
    }


METADATA = {"format": "pt", "config": json.dumps({"model": "unet", "lr": 0.0001}), "note": "línea 1\nlínea 2"}

os.makedirs(OUT, exist_ok=True)
files = {
    "all_dtypes.safetensors": serialize(all_dtypes(), METADATA),
    "no_metadata.safetensors": serialize({"w": torch.tensor([[1, 2, 3]], dtype=torch.int32)}),
}
for name, data in files.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes, header {struct.unpack('<Q', data[:8])[0]} bytes")
t = all_dtypes()
print("half as float32:", t["half"].float().tolist())
print("bhalf as float32:", t["bhalf"].float().tolist())
print("layer.weight[1][0] as double:", repr(t["layer.weight"][1][0].item()))
