"""PyTorch peer of the `detectors` benchmark: one DISYRE training step of the twin UNet2d (unet_torch.py) at
size x size — forward on a fixed corrupted batch and timestep, MSE against the clean batch, backward, gradient
clipping at 1.0, AdamW(lr 1e-4, betas (0.95, 0.999), weight decay 1e-6) as DISYRE's released optimiser.

usage: python3 disyre_torch.py serve --threads T --batch B --size S --channels 32,64,128,128 --layers 1 --attn 3
  (one step per "step" line on stdin, answered with a JSON line {"ms", "loss"})
"""
import argparse, json, os, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_torch import UNet2d  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--channels", default="32,64,128,128")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--attn", default="3")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = UNet2d(channels=tuple(int(c) for c in a.channels.split(",")), layers=a.layers,
                   attn=tuple(int(c) for c in a.attn.split(",") if c))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.95, 0.999), weight_decay=1e-6)
    gen = torch.Generator().manual_seed(1)
    clean = torch.rand(a.batch, 1, a.size, a.size, generator=gen)
    corrupted = (clean + 0.1 * torch.rand(a.batch, 1, a.size, a.size, generator=gen)).clamp(0, 1)
    t = torch.randint(0, 100, (a.batch,), generator=gen)
    print(json.dumps({"ready": True, "parameters": sum(q.numel() for q in model.parameters())}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(corrupted, t), clean)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        print(json.dumps({"ms": 1000 * (time.perf_counter() - start), "loss": loss.item()}), flush=True)


if __name__ == "__main__":
    main()
