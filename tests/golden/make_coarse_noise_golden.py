#!/usr/bin/python3
"""Golden values for CoarseNoise.Compose (tests/MedAnomaly.Tests/Corruptions/CoarseNoiseTests.cs): the noise step of
Kascenas et al.'s DAE (AntanasKascenas/DenoisingAE @ 8e5a9df, src/denoising.py, `noise`): upsample_bilinear of the
low-resolution noise to the image size, torch.roll by (rows, columns), masked where x.sum(dim=1) > 0.01, added.
Written out here with the same torch calls (their function hard-codes 128×128 and draws the roll itself).
Run: /usr/bin/python3 tests/golden/make_coarse_noise_golden.py"""
import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(7)
clean = torch.rand(2, 1, 16, 20, generator=g)
clean[:, :, :3, :] = 0   # background rows
low = 0.2 * torch.randn(2, 1, 4, 4, generator=g)
noise = F.upsample_bilinear(low, size=[16, 20])
noise = torch.roll(noise, shifts=[5, 11], dims=[-2, -1])
noise = noise * (clean.sum(dim=1, keepdim=True) > 0.01)
out = clean + noise
print("clean =", [round(v, 8) for v in clean.flatten().tolist()])
print("low =", [round(v, 8) for v in low.flatten().tolist()])
print("sum", repr(out.double().sum().item()))
for idx in [(0, 0, 0, 0), (0, 0, 5, 11), (1, 0, 7, 3), (1, 0, 15, 19), (0, 0, 10, 0)]:
    print(idx, repr(out[idx].item()))
