"""PyTorch peer of the `ae` benchmark: one training step of MedIAnomaly's own AE class (caiyu6666/MedIAnomaly,
reconstruction/networks/ae.py), imported from the tree the user names, as AEWorker.train_epoch runs it: forward,
AELoss (mean (x - x_hat)^2, utils/losses.py), zero_grad, backward, Adam step (BaseWorker.set_optimizer).

The network is AE(...) as BaseWorker builds it with options.py's defaults (base width 16, expansion 1, hidden 1024,
latent 16, one layer per block), seeded with torch.manual_seed(0); the batch x = 2u - 1 (their Normalize(0.5, 0.5)),
u drawn from torch.Generator seed 1, stays fixed.

usage: python3 medianomaly_ae_torch.py serve --medianomaly TREE --threads T --batch 64 --size 64 --hidden 1024 --lr 1e-3
  TREE: the MedIAnomaly checkout (the folder holding reconstruction/).
  One step per "step" line on stdin, answered with {"ms", "forward", "backward", "optimizer", "cpu", "loss"}
  (milliseconds; cpu: the process's CPU time over the step, all threads).
  "layers": each block alone, forward + backward of sum(y) on the input it gets in the network's forward pass
  (requiring a gradient but for en_block1's), then the Adam step alone: {"en_block1": ms, ..., "adam": ms}.
"""
import argparse
import json
import os
import sys
import time

import torch


def import_ae(tree):
    reconstruction = os.path.join(os.path.abspath(tree), "reconstruction")
    if not os.path.isfile(os.path.join(reconstruction, "networks", "ae.py")):
        sys.exit(f"no reconstruction/networks/ae.py under {tree}: give the MedIAnomaly checkout")
    sys.path.insert(0, reconstruction)
    from networks.ae import AE
    return AE


def layer_inputs(net, img):
    """(name, block, input) in the order of AE.forward and BottleNeck.forward (flatten, linear_enc, linear_dec, view)."""
    layers, h = [], img
    with torch.no_grad():
        for i in range(1, 5):
            block = getattr(net, f"en_block{i}")
            layers.append((f"en_block{i}", block, h))
            h = block(h)
        shape = h.shape
        for name in ("linear_enc", "linear_dec"):
            block = getattr(net.bottle_neck, name)
            h = h.flatten(1) if name == "linear_enc" else h
            layers.append((f"bottle_neck.{name}", block, h))
            h = block(h)
        h = h.view(shape)
        for i in range(1, 5):
            block = getattr(net, f"de_block{i}")
            layers.append((f"de_block{i}", block, h))
            h = block(h)
    return layers


def layer_times(net, optimizer, img):
    times = {}
    for name, block, x in layer_inputs(net, img):
        x = x.detach().requires_grad_(name != "en_block1")
        start = time.perf_counter()
        block(x).sum().backward()
        times[name] = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    optimizer.step()
    times["adam"] = 1000 * (time.perf_counter() - start)
    optimizer.zero_grad()
    return times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve"])
    p.add_argument("--medianomaly", required=True, help="the MedIAnomaly checkout (holding reconstruction/)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--hidden", type=int, default=1024, help="AE(mid_num=...): options.py's --hidden-num")
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()
    AE = import_ae(a.medianomaly)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = AE(input_size=a.size, in_planes=1, base_width=16, expansion=1, mid_num=a.hidden, latent_size=16,
             en_num_layers=1, de_num_layers=1)
    net.train()
    optimizer = torch.optim.Adam(net.parameters(), a.lr, weight_decay=0)
    img = torch.rand(a.batch, 1, a.size, a.size, generator=torch.Generator().manual_seed(1)) * 2 - 1
    print(json.dumps({"ready": True, "parameters": sum(q.numel() for q in net.parameters()), "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if line.strip() == "layers":
            print(json.dumps(layer_times(net, optimizer, img)), flush=True)
            continue
        if line.strip() != "step":
            sys.exit(f"unexpected request {line.strip()!r} (step or layers)")
        cpu, start = time.process_time(), time.perf_counter()
        net_out = net(img)
        loss = ((img - net_out["x_hat"]) ** 2).mean()
        forward = time.perf_counter()
        optimizer.zero_grad()
        loss.backward()
        backward = time.perf_counter()
        optimizer.step()
        end, cpu = time.perf_counter(), time.process_time() - cpu
        print(json.dumps({"ms": 1000 * (end - start), "forward": 1000 * (forward - start), "backward": 1000 * (backward - forward),
                          "optimizer": 1000 * (end - backward), "cpu": 1000 * cpu, "loss": loss.item()}), flush=True)


if __name__ == "__main__":
    main()
