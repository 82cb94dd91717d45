"""PyTorch peer of the `detectors` benchmark: DISYRE's network as diffusers' own UNet2DModel (the one the released
trainer builds: trainer_disyre.py of snavalm/disyre), imported from a diffusers v0.27.2 source folder the user names.

Per "setup SIZE BATCH": two UNet2DModels, each seeded with torch.manual_seed(0) (one trained, one scored untouched, as
the C# side has them), AdamW(lr 1e-4, betas (0.95, 0.999), weight decay 1e-6) as DISYRE's optimiser, and fixed inputs
drawn from torch.Generator seeds 1 (training) and 4 (scoring).
  "train": one step: forward on the corrupted batch at timesteps t, MSE against the clean batch, backward, gradient
           clipping at 1.0, AdamW step.                                              → {"ms", "loss"}
  "score": mean-single-step scoring of the batch (DISYRE v2, as Methods/Disyre.cs scores): in eval mode without
           gradients, x0_t = net(x, t) for t = 99, 74, 49, 24; map = mean_t |x - x0_t| times the foreground (x > 0);
           image score = the map's mean; restoration = mean_t x0_t clamped to [0, 1].  → {"ms"}

usage: python3 disyre_torch.py serve --diffusers PATH[:PATH...] --threads T --channels 32,64,96,128,256,256
           --layers 2 --attn 4 --groups 32 --head-dim 8
  PATH: the folder holding diffusers/ (e.g. diffusers-0.27.2/src) and, if Python lacks them, its pure-Python
  dependencies (huggingface_hub, filelock, requests, regex, PIL, importlib_metadata). Without the compiled
  `safetensors` package a stub stands in while diffusers imports (no weights are read or written here).
"""
import argparse
import importlib.machinery
import json
import sys
import time
import types

import torch
import torch.nn.functional as F

DIFFUSERS_VERSION = "0.27.2"
SCORING_TIMESTEPS = (99, 74, 49, 24)   # trailing spacing of 4 steps over T = 100


def import_diffusers(paths):
    """diffusers from `paths`; a stub `safetensors` module (only imported, never called) when the package is missing."""
    try:
        import safetensors  # noqa: F401
    except ImportError:
        for name in ("safetensors", "safetensors.torch"):
            stub = types.ModuleType(name)
            stub.__spec__ = importlib.machinery.ModuleSpec(name, None)
            sys.modules[name] = stub
        sys.modules["safetensors"].torch = sys.modules["safetensors.torch"]
    sys.path[:0] = [p for p in paths.split(":") if p]
    import diffusers
    if diffusers.__version__ != DIFFUSERS_VERSION:
        sys.exit(f"expected diffusers {DIFFUSERS_VERSION}, got {diffusers.__version__} from {diffusers.__file__}")
    return diffusers


def unet(diffusers, a, size):
    """UNet2DModel with DownBlock2D / AttnDownBlock2D at the attention levels, the up blocks mirrored."""
    levels = len(a.channels)
    down = tuple("AttnDownBlock2D" if i in a.attn else "DownBlock2D" for i in range(levels))
    up = tuple("AttnUpBlock2D" if levels - 1 - i in a.attn else "UpBlock2D" for i in range(levels))
    return diffusers.UNet2DModel(sample_size=size, in_channels=1, out_channels=1, layers_per_block=a.layers,
                                 block_out_channels=a.channels, down_block_types=down, up_block_types=up,
                                 norm_num_groups=a.groups, attention_head_dim=a.head_dim)


class Case:
    """One size and batch: the networks, the optimiser and fixed inputs."""

    def __init__(self, diffusers, a, size, batch):
        torch.manual_seed(0)
        self.model = unet(diffusers, a, size)
        torch.manual_seed(0)
        self.scored = unet(diffusers, a, size)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=1e-4, betas=(0.95, 0.999), weight_decay=1e-6)
        gen = torch.Generator().manual_seed(1)
        self.clean = torch.rand(batch, 1, size, size, generator=gen)
        self.corrupted = (self.clean + 0.1 * torch.rand(batch, 1, size, size, generator=gen)).clamp(0, 1)
        self.t = torch.randint(0, 100, (batch,), generator=gen)
        self.images = torch.rand(batch, 1, size, size, generator=torch.Generator().manual_seed(4))

    def train(self):
        start = time.perf_counter()
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.model(self.corrupted, self.t).sample, self.clean)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        return {"ms": 1000 * (time.perf_counter() - start), "loss": loss.item()}

    def score(self):
        start = time.perf_counter()
        self.scored.eval()
        x, n = self.images, self.images.size(0)
        with torch.no_grad():
            residual, restoration = torch.zeros_like(x), torch.zeros_like(x)
            for t in SCORING_TIMESTEPS:
                x0 = self.scored(x, torch.full((n,), t, dtype=torch.int64)).sample
                residual += (x - x0).abs()
                restoration += x0
            anomaly_map = residual / len(SCORING_TIMESTEPS) * (x > 0).float()
            image_score = anomaly_map.mean(dim=(1, 2, 3))
            (restoration / len(SCORING_TIMESTEPS)).clamp(0, 1)
        return {"ms": 1000 * (time.perf_counter() - start), "score": image_score.mean().item()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve"])
    p.add_argument("--diffusers", required=True, help="folder(s) holding diffusers/ v0.27.2 and its dependencies, ':'-separated")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--channels", type=lambda s: tuple(int(c) for c in s.split(",")), default=(32, 64, 96, 128, 256, 256))
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--attn", type=lambda s: tuple(int(c) for c in s.split(",") if c), default=(4,))
    p.add_argument("--groups", type=int, default=32)
    p.add_argument("--head-dim", type=int, default=8)
    a = p.parse_args()
    diffusers = import_diffusers(a.diffusers)
    torch.set_num_threads(a.threads)
    print(json.dumps({"ready": True, "diffusers": diffusers.__version__, "torch": torch.__version__}), flush=True)
    case = None
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["setup"]:
            case = Case(diffusers, a, int(words[1]), int(words[2]))
            print(json.dumps({"parameters": sum(q.numel() for q in case.model.parameters())}), flush=True)
        elif words == ["train"] and case is not None:
            print(json.dumps(case.train()), flush=True)
        elif words == ["score"] and case is not None:
            print(json.dumps(case.score()), flush=True)
        else:
            sys.exit(f"unexpected request {line.strip()!r} (setup SIZE BATCH first, then train or score)")


if __name__ == "__main__":
    main()
