"""Parameter counts of the PyTorch twin of Networks/ConvAutoencoder.cs (MedIAnomaly-style conv AE/VAE).
Run: python3 tests/golden/make_autoencoder_golden.py  — prints the values pinned in ConvAutoencoderTests.cs."""
import torch.nn as nn


def conv_block(cin, cout, stride, slope=0.2):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout), nn.LeakyReLU(slope))


def dense(i, h, o, slope=0.2):
    return nn.Sequential(nn.Linear(i, h), nn.BatchNorm1d(h), nn.LeakyReLU(slope), nn.Linear(h, o))


def twin(input_size=64, in_ch=1, base=16, mult=(1, 2, 4, 4), mid=2048, latent=16, variational=False):
    widths = [m * base for m in mult]
    f = input_size >> len(mult)
    flat = widths[-1] * f * f
    enc = nn.Sequential(*[conv_block(in_ch if i == 0 else widths[i - 1], widths[i], 2) for i in range(len(widths))])
    up = []
    for i in reversed(range(len(widths))):
        out = in_ch if i == 0 else widths[i - 1]
        up += [nn.Upsample(scale_factor=2), nn.Conv2d(widths[i], out, 3, 1, 1) if i == 0 else conv_block(widths[i], out, 1)]
    return nn.ModuleList([enc, dense(flat, mid, 2 * latent if variational else latent), dense(latent, mid, flat), nn.Sequential(*up)])


def count(m):
    return sum(p.numel() for p in m.parameters())


for name, kw in [("AE default", {}), ("VAE default", {"variational": True}),
                 ("tiny 32, base 8, mult 1,2,2,2, mid 64, latent 8", dict(input_size=32, base=8, mult=(1, 2, 2, 2), mid=64, latent=8))]:
    print(name, count(twin(**kw)))
