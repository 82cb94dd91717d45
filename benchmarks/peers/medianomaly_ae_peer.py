#!/usr/bin/python3
"""MedIAnomaly AE/VAE peer: the authors' code (caiyu6666/MedIAnomaly @ 507201c, reconstruction/) trained and scored
on a `medanomaly data export` folder.

From the authors' tree: networks/ae.py AE and networks/vae.py VAE with options.py's defaults (base width 16,
expansion 1, hidden 1024, latent 16, depth 1), utils/losses.py AELoss / VAELoss (KL weight 0.005),
dataloaders/data_utils.py get_transform (ToTensor, Normalize(0.5, 0.5): x ↦ 2x − 1). Written here: the body of
AEWorker/VAEWorker.train_epoch (Adam, their lr and weight decay) run for --steps batches of their shuffled DataLoader
(a new shuffle every pass), and AEWorker.evaluate's map (the loss with anomaly_score=True, keepdim=True: (x − x̂)²
for both, averaged over channels, one slice at a time in eval mode). utils/__init__.py (workers needing wandb and thop)
and utils/util.py (medpy) are not imported: utils/losses.py is loaded on its own with a stand-in for utils.util, whose
ssim only SSIMLoss uses. README.md beside this file lists every deviation.

  /usr/bin/python3 medianomaly_ae_peer.py --code TREE --data EXPORT --out DIR --seed 0 --steps 300 --batch 64 --model ae
"""
import os
import sys
import time
import types

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import peer_common as common

# options.py's defaults for the reconstruction models.
BASE_WIDTH, EXPANSION, HIDDEN, LATENT, EN_DEPTH, DE_DEPTH = 16, 1, 1024, 16, 1, 1


def parse_args(argv=None):
    parser = common.new_parser("Train and score the authors' MedIAnomaly AE or VAE on an exported data set")
    common.add_common_arguments(parser, batch_default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (options.py --train-lr)")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="Adam weight decay (options.py --train-weight-decay)")
    parser.add_argument("--model", choices=("ae", "vae"), default="ae", help="their -m/--model-name")
    return common.parse(parser, argv)


def import_authors(reconstruction):
    """networks.ae/vae, utils.losses and dataloaders.data_utils from the tree, without utils/__init__.py."""
    utils = types.ModuleType("utils")
    utils.__path__ = [os.path.join(reconstruction, "utils")]
    util = types.ModuleType("utils.util")
    util.ssim = _ssim_unavailable
    sys.modules.update({"utils": utils, "utils.util": util})
    from dataloaders.data_utils import get_transform
    from networks.ae import AE
    from networks.vae import VAE
    from utils.losses import AELoss, VAELoss
    return {"ae": (AE, AELoss), "vae": (VAE, VAELoss)}, get_transform


def _ssim_unavailable(*args, **kwargs):
    raise RuntimeError("utils.util.ssim is not loaded by this runner (only SSIMLoss needs it)")


class Slices(Dataset):
    """Exported slices as their datasets hand them out: {'img': transform(slice)}."""

    def __init__(self, images, transform):
        self.images, self.transform = images, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return {"img": self.transform(self.images[index])}


def build(args, classes, size):
    network, loss = classes[args.model]
    net = network(input_size=size, in_planes=1, base_width=BASE_WIDTH, expansion=EXPANSION, mid_num=HIDDEN,
                  latent_size=LATENT, en_num_layers=EN_DEPTH, de_num_layers=DE_DEPTH)
    return net.to(args.device), loss()


def train(args, data, net, criterion, transform, timer):
    """BaseWorker.set_optimizer and the body of train_epoch, for --steps batches."""
    optimizer = torch.optim.Adam(net.parameters(), args.lr, weight_decay=args.weight_decay)
    n = len(data["train"])
    # BatchNorm1d cannot train on a batch of one slice: such a last batch is dropped (their loader keeps it and fails).
    loader = DataLoader(Slices(data["train"], transform), batch_size=args.batch, shuffle=True, drop_last=n % args.batch == 1)
    batches = common.cycle(loader)
    net.train()
    for step in range(args.steps):
        start = timer.now()
        img = next(batches)["img"].to(args.device)
        model_start = timer.now()
        loss = criterion(img, net(img))
        loss = loss[0] if isinstance(loss, tuple) else loss               # VAELoss returns (loss, recon, kl)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        timer.record(start, model_start, timer.now())
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step + 1}/{args.steps} loss {loss.item():.5f}", flush=True)


def score(args, data, net, criterion, transform):
    """AEWorker.evaluate: one slice at a time (their test loader's batch size), map = criterion(..., anomaly_score=True,
    keepdim=True), i.e. the channel mean of (x − x̂)² in their [−1, 1] units; image score = mean of the map."""
    net.eval()
    maps = np.zeros_like(data["test"], dtype=np.float32)
    with torch.no_grad():
        for i, image in enumerate(data["test"]):
            img = transform(image)[None].to(args.device)
            maps[i] = criterion(img, net(img), anomaly_score=True, keepdim=True)[0, 0].cpu().numpy()
    return maps


def main(argv=None):
    args = parse_args(argv)
    common.import_tree(args.code, [f"reconstruction/{f}" for f in ("networks/ae.py", "networks/vae.py", "utils/losses.py",
                                                                  "dataloaders/data_utils.py")], folder="reconstruction")
    classes, get_transform = import_authors(os.path.join(os.path.abspath(args.code), "reconstruction"))
    common.seed_everything(args.seed)
    data = common.load_export(args.data, args.limit)
    _, h, w = data["train"].shape
    if h != w or h % 16:
        sys.exit(f"error: their AE needs square slices with a side divisible by 16 (4 down-samplings); the export has {h}×{w}")
    transform = get_transform(types.SimpleNamespace(model={"in_c": 1}))
    net, criterion = build(args, classes, h)
    timer = common.StepTimer(args.device)
    train(args, data, net, criterion, transform, timer)
    start = time.perf_counter()
    maps = score(args, data, net, criterion, transform)
    settings = {"model": args.model, "lr": args.lr, "weight_decay": args.weight_decay, "input_size": h}
    common.write_outputs(args, data, maps, timer, time.perf_counter() - start, settings)


if __name__ == "__main__":
    main()
