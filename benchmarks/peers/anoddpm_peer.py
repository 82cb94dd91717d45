#!/usr/bin/python3
"""AnoDDPM peer: the authors' code (Julian-Wyatt/AnoDDPM @ 3052f04) trained and scored on a `medanomaly data export`
folder, in their simplex-noise setting.

From the authors' tree: test_args/args28.json (the simplex MRI run: T = 1000 linear betas, l2 ε-loss, no loss weight,
train_start with sample_distance 800, lr 1e-4, no weight decay, 2 heads, base 128 channels) read at run time;
UNet.py UNetModel built exactly as diffusion_training.train builds it (channel_mults chosen by their UNet for the
image size) and update_ema_params; GaussianDiffusion.py get_beta_schedule, GaussianDiffusionModel (p_loss,
forward_backward, sample_p) and generate_simplex_noise with simplex.py's Simplex_CLASS. Written here: feeding the
exported slices (x ↦ 2x − 1 as their Normalize(0.5, 0.5), their RandomAffine augmentation), the body of their training
loop for --steps batches, and a per-image wrapper around generate_simplex_noise (their function draws one field for
the whole batch and fails for a batch of different timesteps; they trained and detected with batch size 1).
Detection as detection.py's anomalous_metric_calculation: forward_backward(ema, x, see_whole_sequence=None,
t_distance=λ, denoise_fn=simplex), map = (x − x̂)² in their [−1, 1] units. README.md beside this file lists every
deviation.

  /usr/bin/python3 anoddpm_peer.py --code TREE --data EXPORT --out DIR --seed 0 --steps 200 --batch 8 --lambda 250
"""
import json
import os
import re
import sys
import tempfile
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import peer_common as common

SIMPLEX_ARGS = "test_args/args28.json"        # their simplex-noise MRI configuration
UNET_ATTENTION_DEFAULT = "32,16,8"             # UNet.UNetModel's default; diffusion_training.train does not pass args28's "16,8"
GRAD_CLIP = 1                                 # diffusion_training.train: clip_grad_norm_(model.parameters(), 1)
AFFINE_DEGREES, AFFINE_TRANSLATE = 3, (0.02, 0.09)   # dataset.MRIDataset's RandomAffine


def parse_args(argv=None):
    parser = common.new_parser("Train and score the authors' AnoDDPM (simplex noise) on an exported data set")
    common.add_common_arguments(parser, batch_default=8)
    parser.add_argument("--lambda", dest="lam", type=int, default=250, help="partial-diffusion depth λ of the detection")
    parser.add_argument("--base-channels", type=int, default=None, help="UNet base channels, a multiple of 32 (default: args28's 128)")
    parser.add_argument("--lr", type=float, default=None, help="AdamW learning rate (default: args28's 1e-4)")
    parser.add_argument("--attention-resolutions", default=UNET_ATTENTION_DEFAULT,
                        help="feature-map sizes with attention, e.g. args28's 16,8 (default: their UNet's, which their train() uses)")
    parser.add_argument("--ema-decay", type=float, default=0.9999, help="update_ema_params decay (their default)")
    parser.add_argument("--score-weights", choices=("ema", "model"), default="ema", help="weights that detect (detection.py loads the EMA)")
    parser.add_argument("--score-batch", type=int, default=16, help="test slices per reverse-diffusion batch (each gets its own noise)")
    parser.add_argument("--no-augment", action="store_true", help="drop their RandomAffine(3, translate=(0.02, 0.09))")
    args = common.parse(parser, argv)
    common.check_positive(parser, args, "base_channels", "score_batch")
    if not re.fullmatch(r"\d+(,\d+)*", args.attention_resolutions):
        parser.error(f"--attention-resolutions must be feature-map sizes joined by commas (e.g. 16,8), got {args.attention_resolutions!r}")
    if args.lam < 1:
        parser.error(f"--lambda must be at least 1, got {args.lam}")
    return args


def load_args(args, size):
    """args28.json through their defaultdict_from_json, with the export's image size and the runner's overrides."""
    from helpers import defaultdict_from_json
    with open(os.path.join(args.code, SIMPLEX_ARGS)) as f:
        config = json.load(f)
    config.update({"img_size": [size, size], "Batch_Size": args.batch, "arg_num": "28"})
    if args.base_channels is not None:
        config["base_channels"] = args.base_channels
    if args.lr is not None:
        config["lr"] = args.lr
    config["attention_resolutions"] = args.attention_resolutions
    if config["base_channels"] % 32:
        sys.exit(f"error: --base-channels {config['base_channels']}: their GroupNorm32(32, ·) needs a multiple of 32")
    if not 1 <= args.lam <= config["T"]:
        sys.exit(f"error: --lambda {args.lam} must lie in 1 … T = {config['T']}")
    return defaultdict_from_json(config)


def build(config, device):
    """diffusion_training.train: the UNet (attention at their default 32, 16, 8 px unless --attention-resolutions), its
    EMA copy and the diffusion model."""
    import copy
    from GaussianDiffusion import GaussianDiffusionModel, get_beta_schedule
    from UNet import UNetModel
    model = UNetModel(config["img_size"][0], config["base_channels"], channel_mults=config["channel_mults"],
                      dropout=config["dropout"], n_heads=config["num_heads"], n_head_channels=config["num_head_channels"],
                      attention_resolutions=config["attention_resolutions"], in_channels=1)
    ema = copy.deepcopy(model)
    betas = get_beta_schedule(config["T"], config["beta_schedule"])
    diffusion = GaussianDiffusionModel(config["img_size"], betas, loss_weight=config["loss_weight"],
                                       loss_type=config["loss-type"], noise=config["noise_fn"], img_channels=1)
    diffusion.noise_fn = per_image_simplex(diffusion)
    return model.to(device), ema.to(device), diffusion


def per_image_simplex(diffusion):
    """Their generate_simplex_noise (6 octaves, persistence 0.8, frequency 64, a new seed per call) once per image with
    that image's timestep, as their batch-size-1 runs drew it."""
    from GaussianDiffusion import generate_simplex_noise

    def noise(x, t):
        return torch.cat([generate_simplex_noise(diffusion.simplex, x[i:i + 1], t[i:i + 1], False, in_channels=1)
                          for i in range(x.shape[0])]).float()
    return noise


class Slices(Dataset):
    """Exported slices as their MRIDataset hands them out: {'image': transform(slice)} in [−1, 1]."""

    def __init__(self, images, augment):
        from torchvision import transforms
        steps = [transforms.ToPILImage()]
        if augment:
            steps.append(transforms.RandomAffine(AFFINE_DEGREES, translate=AFFINE_TRANSLATE))
        steps += [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]
        self.images, self.transform = images, transforms.Compose(steps)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return {"image": self.transform(self.images[index][:, :, None])}


def train(args, config, data, model, ema, diffusion, timer):
    """The body of diffusion_training.train's loop, for --steps batches of their loader (shuffled, drop_last)."""
    from UNet import update_ema_params
    if len(data["train"]) < args.batch:
        sys.exit(f"error: --batch {args.batch} exceeds the {len(data['train'])} training slices (their loader drops incomplete batches)")
    loader = DataLoader(Slices(data["train"], not args.no_augment), batch_size=args.batch, shuffle=True, num_workers=0, drop_last=True)
    batches = common.cycle(loader)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"], betas=(0.9, 0.999))
    model.train()
    for step in range(args.steps):
        start = timer.now()
        x = next(batches)["image"].to(args.device)
        model_start = timer.now()
        loss, _ = diffusion.p_loss(model, x, config)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimiser.step()
        update_ema_params(ema, model, args.ema_decay)
        timer.record(start, model_start, timer.now())
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step + 1}/{args.steps} loss {loss.item():.5f}", flush=True)


def score(args, data, unet, diffusion):
    """detection.py: noise to λ with simplex noise, their ancestral reverse process with simplex noise back to 0,
    map = (x − x̂)²."""
    unet.eval()
    test = torch.from_numpy(data["test"][:, None]).float() * 2 - 1
    maps = []
    with torch.no_grad():
        for batch in test.split(args.score_batch):
            x = batch.to(args.device)
            restored = diffusion.forward_backward(unet, x, see_whole_sequence=None, t_distance=args.lam, denoise_fn=diffusion.noise_fn)
            maps.append((x - restored).square()[:, 0].cpu().numpy())
    return np.concatenate(maps)


def main(argv=None):
    args = parse_args(argv)
    common.import_tree(args.code, ["UNet.py", "GaussianDiffusion.py", "simplex.py", "helpers.py", SIMPLEX_ARGS])
    os.environ.setdefault("MPLBACKEND", "Agg")                                        # their modules import pyplot
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "anoddpm-peer-numba"))   # not in their tree
    common.seed_everything(args.seed)
    data = common.load_export(args.data, args.limit)
    _, h, w = data["train"].shape
    if h != w or h not in (32, 64, 128, 256, 512):
        sys.exit(f"error: their UNet picks channel_mults for square 32, 64, 128, 256 or 512-pixel images; the export has {h}×{w}")
    config = load_args(args, h)
    model, ema, diffusion = build(config, args.device)
    timer = common.StepTimer(args.device)
    train(args, config, data, model, ema, diffusion, timer)
    start = time.perf_counter()
    maps = score(args, data, ema if args.score_weights == "ema" else model, diffusion)
    settings = {"lambda": args.lam, "base_channels": config["base_channels"], "lr": config["lr"], "T": config["T"],
                "sample_distance": config["sample_distance"], "ema_decay": args.ema_decay, "score_weights": args.score_weights,
                "augment": not args.no_augment, "attention_resolutions": config["attention_resolutions"]}
    common.write_outputs(args, data, maps, timer, time.perf_counter() - start, settings)


if __name__ == "__main__":
    main()
