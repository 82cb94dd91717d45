#!/usr/bin/python3
"""DISYRE peer: the authors' code (snavalm/disyre @ e149f29) trained and scored on a `medanomaly data export` folder.

From the authors' tree: get_train_transform + get_ag_transforms (preprocessing/preprocessing.py: CropForeground,
SpatialTransform_2, the batchgenerators augmentations, GetRandomLocation/CreateRandomShape with their shape set in
experiments/shapes/, FPI, BiasCorruption), DISYREScheduler.map_alpha_to_timestep, DISYREPipeline (mean-single-step,
weight_foreground, their sliding window) and CropForeground for the test volumes; diffusers' UNet2DModel built exactly
as trainer_disyre.py builds it and diffusers' get_scheduler("cosine"). Written here: random batches of slices from
train.npy (their loader draws slices of volumes), and the body of their training loop without accelerate/wandb.
README.md beside this file lists every deviation.

  PYTHONPATH=DEPS /usr/bin/python3 disyre_peer.py --code TREE --data EXPORT --out DIR --seed 0 --steps 150 --batch 8
"""
import argparse
import importlib.machinery
import os
import sys
import time
import types

import numpy as np
import torch
import torch.nn.functional as F

import peer_common as common

# trainer_disyre.py's defaults (parse_args) and the DAG data config experiments/dconf/dag2D_camcant2.json.
DDPM_STEPS, BETA_START, BETA_END, BETA_SCHEDULE = 100, 1e-3, 2e-1, "linear"
ADAM_BETAS, ADAM_WEIGHT_DECAY, ADAM_EPSILON, GRAD_CLIP = (0.95, 0.999), 1e-6, 1e-8, 1.0
ALPHA_KEYS = ("alpha_texture", "alpha_bias")          # anom_type "dag"


def parse_args(argv=None):
    parser = common.new_parser("Train and score the authors' DISYRE on an exported data set")
    common.add_common_arguments(parser, batch_default=8)
    parser.add_argument("--crop", type=int, default=64, help="training patch size = the UNet's sample_size (paper: 128)")
    parser.add_argument("--anom-patch", type=int, default=None, help="box of the synthetic anomaly (default: crop/2; paper: 64)")
    parser.add_argument("--lr", type=float, default=1e-4, help="AdamW learning rate")
    parser.add_argument("--warmup", type=int, default=500, help="linear warm-up steps of the cosine schedule")
    parser.add_argument("--inference-steps", type=int, default=4, help="DISYREPipeline num_inference_steps")
    parser.add_argument("--sw-batch-size", type=int, default=320, help="windows per UNet call in the sliding window (their notebook)")
    parser.add_argument("--no-augment", action="store_true", help="drop their spatial/intensity augmentations (keep crop and DAG)")
    parser.add_argument("--no-weight-foreground", action="store_true", help="DISYREPipeline weight_foreground=False")
    args = common.parse(parser, argv)
    if args.anom_patch is None:
        args.anom_patch = args.crop // 2
    common.check_positive(parser, args, "crop", "anom_patch", "inference_steps", "sw_batch_size")
    if args.anom_patch > args.crop:
        parser.error(f"--anom-patch {args.anom_patch} must not exceed --crop {args.crop}")
    if args.warmup < 0:
        parser.error(f"--warmup must be at least 0, got {args.warmup}")
    return args


def install_safetensors_stand_in():
    """diffusers 0.27 imports safetensors (a compiled package) at import time but this runner never reads or writes weight
    files: without it installed, a stand-in module whose every function raises."""
    try:
        import safetensors.torch  # noqa: F401
        return
    except ImportError:
        pass

    def module(name):
        m = types.ModuleType(name)
        m.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
        m.__path__ = []
        m.__getattr__ = lambda attr: _unavailable(f"{name}.{attr}") if not attr.startswith("__") else _no_attribute(name, attr)
        return m
    sys.modules["safetensors"], sys.modules["safetensors.torch"] = module("safetensors"), module("safetensors.torch")


def _unavailable(name):
    def call(*args, **kwargs):
        raise RuntimeError(f"{name}: safetensors is not installed (the DISYRE peer runner does not save or load weights)")
    return call


def _no_attribute(module, attr):
    raise AttributeError(f"module {module!r} has no attribute {attr!r}")


def patch_attention_scores():
    """diffusers 0.27 on torch < 2.0 scores attention with torch.baddbmm(torch.empty(...), q, kᵀ, beta=0), which on
    torch 1.13's CPU BLAS sporadically returns NaN for small batched shapes; the same scores as scale · q kᵀ by matmul."""
    from diffusers.models.attention_processor import Attention

    def get_attention_scores(self, query, key, attention_mask=None):
        dtype = query.dtype
        if self.upcast_attention:
            query, key = query.float(), key.float()
        scores = torch.matmul(query, key.transpose(-1, -2)) * self.scale
        if attention_mask is not None:
            scores = scores + attention_mask
        if self.upcast_softmax:
            scores = scores.float()
        return scores.softmax(dim=-1).to(dtype)

    Attention.get_attention_scores = get_attention_scores


def build_unet(crop):
    """trainer_disyre.py, model_config_name_or_path None: sample_size = the config's patch_size list, 1 channel."""
    from diffusers import UNet2DModel
    return UNet2DModel(
        sample_size=[crop, crop], in_channels=1, out_channels=1, layers_per_block=2,
        block_out_channels=(32, 64, 96, 128, 256, 256),
        down_block_types=("DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"),
    )


def build_transforms(args):
    """create_dataloader's training branch for anom_type "dag" with the camcan 2D config's settings and the shape set
    that environment_defaults.py names; --no-augment keeps only the crop of SpatialTransform_2 and the DAG."""
    from preprocessing.preprocessing import get_ag_transforms, get_train_transform
    config = argparse.Namespace(patch_size=[args.crop, args.crop], anom_type="dag")
    ag = get_ag_transforms("dag", [args.anom_patch, args.anom_patch], no_mask_in_background=True,
                           shape_dataset=os.path.join(os.path.abspath(args.code), "experiments", "shapes", "dataset.json"),
                           p_anomaly=1.0)
    transform = get_train_transform(config, ag)
    if args.no_augment:
        transform.transforms = without_augmentations(transform.transforms)
    return transform


def without_augmentations(transforms):
    from batchgenerators.transforms.color_transforms import BrightnessMultiplicativeTransform, GammaTransform
    from batchgenerators.transforms.noise_transforms import GaussianBlurTransform, GaussianNoiseTransform
    from batchgenerators.transforms.spatial_transforms import MirrorTransform
    from preprocessing.batchgenerators_custom import SpatialTransform_2
    dropped = (MirrorTransform, BrightnessMultiplicativeTransform, GammaTransform, GaussianNoiseTransform, GaussianBlurTransform)
    kept = [t for t in transforms if not isinstance(t, dropped)]
    for t in kept:
        if isinstance(t, SpatialTransform_2):
            t.do_elastic_deform = t.do_rotation = t.do_scale = False
    return kept


def sample_batch(train, batch, transform):
    """B slices drawn uniformly (with replacement) from train.npy, through their transforms as a 2D batch."""
    idx = np.random.randint(0, train.shape[0], size=batch)
    data = train[idx][:, None].astype(np.float32)
    return transform(data=data, metadata=[{} for _ in range(batch)])


def severity(batch):
    """trainer_disyre.py: alpha_dag = max over alpha_texture and alpha_bias."""
    return torch.amax(torch.stack([batch[k].float() for k in ALPHA_KEYS]), dim=0)


def train(args, data, model, scheduler, timer):
    from diffusers.optimization import get_scheduler
    transform = build_transforms(args)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=ADAM_BETAS, weight_decay=ADAM_WEIGHT_DECAY, eps=ADAM_EPSILON)
    lr_scheduler = get_scheduler("cosine", optimizer=optimizer, num_warmup_steps=args.warmup, num_training_steps=args.steps)
    model.train()
    for step in range(args.steps):
        start = timer.now()
        batch = sample_batch(data["train"], args.batch, transform)
        model_start = timer.now()
        normal, corrupted = batch["data"].to(args.device), batch["data_c"].to(args.device)
        timesteps = scheduler.map_alpha_to_timestep(severity(batch).to(args.device))
        output = model(corrupted, timesteps).sample
        loss = F.mse_loss(output.float(), normal.float())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        lr_scheduler.step()
        optimizer.zero_grad()
        timer.record(start, model_start, timer.now())
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step + 1}/{args.steps} loss {loss.item():.5f} lr {lr_scheduler.get_last_lr()[0]:.2e}", flush=True)


def score(args, data, pipeline):
    """Their evaluation (notebooks/evaluation.ipynb with experiments/dconf/bratst2.json): each test volume is cropped to
    its foreground box by CropForeground, its slices go through the pipeline (sliding window when the box is not the
    crop size), and the maps are put back at the box (zero outside it, where the image is background)."""
    from preprocessing.utils import CropForeground
    crop_foreground = CropForeground(key_input="data", keys_to_apply=["data"])
    kwargs = {"method": "mean-single-step", "num_inference_steps": args.inference_steps, "output_type": "torch",
              "weight_foreground": not args.no_weight_foreground, "sw_kwargs": {"sw_batch_size": args.sw_batch_size}}
    test, volume_ids = data["test"], data["test_volume_ids"]
    maps = np.zeros_like(test, dtype=np.float32)
    for vid in dict.fromkeys(volume_ids.tolist()):
        rows = np.flatnonzero(volume_ids == vid)
        volume = np.moveaxis(test[rows], 0, -1)[None]                       # [1, H, W, slices] as their 3D loader reads it
        metadata = [{}]
        cropped = crop_foreground(data=[volume], metadata=metadata)["data"][0]
        slices = torch.from_numpy(np.ascontiguousarray(np.moveaxis(cropped, -1, 0))).float()   # [n, 1, h, w]
        anomaly = pipeline(slices, **kwargs).anomaly_score.float().cpu().numpy()[:, 0]
        paste(maps, rows, anomaly, metadata[0].get("nonzero_region"))
    return maps


def paste(maps, rows, anomaly, box):
    """Writes the maps of a cropped volume back into full-size maps (box: [[y0, y1], [x0, x1], [z0, z1]], inclusive)."""
    if box is None:                                                          # an empty volume is not cropped
        maps[rows] = anomaly
        return
    (y0, y1), (x0, x1), (z0, z1) = box
    maps[rows[z0:z1 + 1], y0:y1 + 1, x0:x1 + 1] = anomaly


def main(argv=None):
    args = parse_args(argv)
    common.import_tree(args.code, ["trainer_disyre.py", "diffusion/scheduler.py", "preprocessing/preprocessing.py"])
    install_safetensors_stand_in()
    patch_attention_scores()
    from diffusion.scheduler import DISYREPipeline, DISYREScheduler
    common.seed_everything(args.seed)
    data = common.load_export(args.data, args.limit)
    model = build_unet(args.crop).to(args.device)
    scheduler = DISYREScheduler(num_train_timesteps=DDPM_STEPS, beta_schedule=BETA_SCHEDULE, beta_start=BETA_START, beta_end=BETA_END)
    scheduler.sqrt_alphas_cumprod = scheduler.sqrt_alphas_cumprod.to(args.device)   # as trainer_disyre.py does
    timer = common.StepTimer(args.device)
    train(args, data, model, scheduler, timer)
    model.eval()
    start = time.perf_counter()
    maps = score(args, data, DISYREPipeline(unet=model, scheduler=scheduler))
    settings = {k: getattr(args, k) for k in ("crop", "anom_patch", "lr", "warmup", "inference_steps", "no_augment", "no_weight_foreground")}
    common.write_outputs(args, data, maps, timer, time.perf_counter() - start, settings)


if __name__ == "__main__":
    main()
