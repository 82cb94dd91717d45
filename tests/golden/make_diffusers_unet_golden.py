#!/usr/bin/python3
"""Reference files for tests/MedAnomaly.Tests/Networks/DiffusersUNet2dTests.cs (Networks/DiffusersUNet2d.cs).

A small diffusers UNet2DModel with DISYRE's block pattern (down: Down, AttnDown, Down; up: Up, AttnUp, Up),
seeded, every parameter perturbed with noise (so GroupNorm's affine parameters are not 1 and 0), saved as
diffusers saves it (config.json, diffusion_pytorch_model.safetensors), with fixed inputs, its output and the
gradient norms of one backward pass. Also the state_dict keys and shapes of DISYRE's own network
(trainer_disyre.py of snavalm/disyre @ e149f29) and the per-parameter sums of the seeded small network.

Pinned: diffusers v0.27.2 (the version DISYRE runs). Get its sources with
    git clone https://github.com/huggingface/diffusers && mkdir -p /tmp/diffusers-0.27.2
    git -C diffusers archive v0.27.2 | tar -x -C /tmp/diffusers-0.27.2
diffusers imports huggingface_hub, numpy, filelock, importlib_metadata, requests, regex and PIL; put them on
PYTHONPATH if Python lacks them. The `safetensors` package is not needed: without it a stub stands in while
diffusers imports, and this script writes the safetensors file itself.

Run (Debian's python3, PyTorch 1.13):
    /usr/bin/python3 tests/golden/make_diffusers_unet_golden.py --diffusers /tmp/diffusers-0.27.2/src
"""
import argparse
import importlib.machinery
import json
import os
import struct
import sys
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "MedAnomaly.Tests", "Fixtures", "diffusers_unet")
DIFFUSERS_VERSION = "0.27.2"

SMALL = dict(
    sample_size=32, in_channels=1, out_channels=1, layers_per_block=2, block_out_channels=(16, 32, 32),
    down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
    norm_num_groups=8, attention_head_dim=8,
)
DISYRE = dict(  # trainer_disyre.py, UNet2DModel(...) for 1-channel patches
    sample_size=64, in_channels=1, out_channels=1, layers_per_block=2, block_out_channels=(32, 64, 96, 128, 256, 256),
    down_block_types=("DownBlock2D",) * 4 + ("AttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "AttnUpBlock2D") + ("UpBlock2D",) * 4,
)
TIMESTEPS = [3, 87]


def import_diffusers(src):
    """diffusers from `src`; a stub `safetensors` module (only imported, never called) when the package is missing."""
    try:
        import safetensors  # noqa: F401
    except ImportError:
        for name in ("safetensors", "safetensors.torch"):
            stub = types.ModuleType(name)
            stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = stub
        sys.modules["safetensors"].torch = sys.modules["safetensors.torch"]
    sys.path.insert(0, src)
    import diffusers
    if diffusers.__version__ != DIFFUSERS_VERSION:
        sys.exit(f"expected diffusers {DIFFUSERS_VERSION}, got {diffusers.__version__} from {diffusers.__file__}")
    return diffusers


def safetensors_bytes(tensors, metadata):
    """The safetensors format: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, raw LE bytes."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors):  # one dtype per file here, so the reference writer's order is by name
        t = tensors[name].detach().contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def readable_json(values):
    """JSON with one top-level key, or one entry of a top-level dict, per line."""
    def entry(key, value, indent):
        if isinstance(value, dict):
            inner = ",\n".join(entry(k, v, indent + "  ") for k, v in value.items())
            return f"{indent}{json.dumps(key)}: {{\n{inner}\n{indent}}}"
        if isinstance(value, list) and value and isinstance(value[0], list):
            inner = ",\n".join(f"{indent}  {json.dumps(v)}" for v in value)
            return f"{indent}{json.dumps(key)}: [\n{inner}\n{indent}]"
        return f"{indent}{json.dumps(key)}: {json.dumps(value)}"
    return "{\n" + ",\n".join(entry(k, v, "  ") for k, v in values.items()) + "\n}\n"


def perturb(model, generator):
    """p += 0.2 · std(p) · N(0, 1) (std 1 for constant tensors: GroupNorm's ones and zeros)."""
    with torch.no_grad():
        for p in model.parameters():
            std = p.std().item() if p.numel() > 1 else 0.0
            p.add_(torch.randn(p.shape, generator=generator) * 0.2 * (std if std > 0 else 1.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diffusers", required=True, help="diffusers v0.27.2 source folder (the one holding diffusers/)")
    args = parser.parse_args()
    diffusers = import_diffusers(args.diffusers)
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)

    disyre = diffusers.UNet2DModel(**DISYRE)
    torch.manual_seed(0)
    model = diffusers.UNet2DModel(**SMALL)
    seeded_sums = {k: v.double().sum().item() for k, v in model.state_dict().items()}

    generator = torch.Generator().manual_seed(1)
    perturb(model, generator)
    x = torch.randn(2, 1, 32, 32, generator=generator)
    t = torch.tensor(TIMESTEPS, dtype=torch.int64)
    model.eval()
    with torch.no_grad():
        sample = model(x, t).sample
    # One backward pass of sum(sample · w), w fixed: the gradient norm of every parameter.
    weight = torch.randn(sample.shape, generator=generator)
    (model(x, t).sample * weight).sum().backward()
    grad_norms = {name: p.grad.double().norm().item() for name, p in model.named_parameters()}

    model.save_config(OUT)  # config.json exactly as save_pretrained writes it
    write("diffusion_pytorch_model.safetensors", safetensors_bytes(model.state_dict(), {"format": "pt"}))
    write("io.safetensors", safetensors_bytes({"x": x, "t": t, "sample": sample, "weight": weight}, {"format": "pt"}))
    expected = {
        "diffusers_version": diffusers.__version__,
        "torch_version": torch.__version__,
        "small_parameter_count": sum(p.numel() for p in model.parameters()),
        "small_state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "small_seeded_sums": seeded_sums,
        "small_grad_norms": grad_norms,
        "disyre_parameter_count": sum(p.numel() for p in disyre.parameters()),
        "disyre_state_dict": [[k, list(v.shape)] for k, v in disyre.state_dict().items()],
    }
    write("expected.json", readable_json(expected).encode("utf-8"))
    print("sample: mean", sample.mean().item(), "std", sample.std().item(), "abs max", sample.abs().max().item())


if __name__ == "__main__":
    main()
