#!/usr/bin/python3
"""Golden values for tests/MedAnomaly.Tests/Networks/ConvAutoencoderTests.cs: MedIAnomaly's own AE and VAE.

Run: /usr/bin/python3 tests/golden/make_medianomaly_ae_golden.py --medianomaly TREE
where TREE holds caiyu6666/MedIAnomaly at commit 507201c (git archive 507201c of that repository); the script imports
TREE/reconstruction/networks/{ae,vae}.py and nothing of it is copied here. Needs Debian's python3-torch and numpy.

For a small configuration (input 32, base width 8, mid 64, latent 8) it seeds the networks, perturbs every parameter
and BatchNorm statistic (so no weight is trivially 0 or 1), and writes into Fixtures/medianomaly/:
  {ae,vae}.safetensors   the state_dict under MedIAnomaly's names
  input.npy              x [2,1,32,32] in [-1,1] (MedIAnomaly normalises images with mean 0.5, std 0.5)
  ae_output.npy          AE(x)['x_hat'] in eval mode
  vae_mu.npy, vae_log_var.npy, vae_output.npy   the VAE's μ, log σ² and its decoding of μ (its forward samples z;
                         the decoding of μ uses its own linear_dec and de_blocks)
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "MedAnomaly.Tests", "Fixtures", "medianomaly")
CONFIG = dict(input_size=32, in_planes=1, base_width=8, expansion=1, mid_num=64, latent_size=8, en_num_layers=1, de_num_layers=1)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def perturb(net, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g))
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn(b.shape, generator=g))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=g))
    return net.eval()


def decode(vae, z):
    h = vae.bottle_neck.linear_dec(z).view(z.size(0), vae.bottle_neck.in_planes, vae.bottle_neck.feature_size, vae.bottle_neck.feature_size)
    for block in (vae.de_block1, vae.de_block2, vae.de_block3, vae.de_block4):
        h = block(h)
    return h


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--medianomaly", required=True, help="a checkout of caiyu6666/MedIAnomaly at 507201c")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.medianomaly, "reconstruction"))
    from networks.ae import AE
    from networks.vae import VAE

    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    x = torch.rand(2, 1, 32, 32, generator=torch.Generator().manual_seed(1)) * 2 - 1
    np.save(os.path.join(OUT, "input.npy"), x.numpy())
    ae = perturb(AE(**CONFIG), 2)
    with torch.no_grad():
        np.save(os.path.join(OUT, "ae_output.npy"), ae(x)["x_hat"].numpy())
    write_safetensors(os.path.join(OUT, "ae.safetensors"), ae.state_dict())
    vae = perturb(VAE(**CONFIG), 3)
    with torch.no_grad():
        out = vae(x)
        np.save(os.path.join(OUT, "vae_mu.npy"), out["mu"].numpy())
        np.save(os.path.join(OUT, "vae_log_var.npy"), out["log_var"].numpy())
        np.save(os.path.join(OUT, "vae_output.npy"), decode(vae, out["mu"]).numpy())
    write_safetensors(os.path.join(OUT, "vae.safetensors"), vae.state_dict())
    for name, net in (("AE", ae), ("VAE", vae)):
        print(name, "parameters", sum(p.numel() for p in net.parameters()),
              "default-size parameters", sum(p.numel() for p in (AE if name == "AE" else VAE)(64, 1, 16, 1, 1024, 16, 1, 1).parameters()))


if __name__ == "__main__":
    main()
