"""What the three peer runners share: command-line flags, the exported data set, seeding, step timing and outputs.

The data set is a folder written by `medanomaly data export` (train.npy, test.npy, test_masks.npy, test_foreground.npy,
test_volume_ids.npy, test_labels.npy, slices.txt). A runner writes into --out:
  maps.npy     float32 [M,H,W]  one anomaly map per test slice, in test.npy's order
  timing.json  train_seconds_per_step (median over steps, batch sampling + augmentation + forward/backward/update),
               train_seconds_per_model_step (median, forward/backward/update only), train_seconds_per_step_mean
               (the mean, as `medanomaly train` reports its seconds_per_step), score_seconds_per_slice,
               steps, batch, seed, device, torch version, and the runner's settings
With --limit K only K test slices (evenly spaced over the test set) are scored; the runner then also writes the
matching test_masks.npy, test_foreground.npy, test_volume_ids.npy, test_labels.npy and test_indices.npy into --out,
so that `medanomaly metrics` can score the smoke output against them.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time

import numpy as np
import torch

sys.dont_write_bytecode = True      # the authors' trees stay as extracted: no __pycache__ written into them

EXPORT_FILES = ("train.npy", "test.npy", "test_masks.npy", "test_foreground.npy", "test_volume_ids.npy", "test_labels.npy")
TEST_FILES = ("test_masks.npy", "test_foreground.npy", "test_volume_ids.npy", "test_labels.npy")


def add_common_arguments(parser, batch_default):
    parser.add_argument("--code", required=True, help="folder holding the authors' source tree at the pinned commit")
    parser.add_argument("--data", required=True, help="folder written by `medanomaly data export`")
    parser.add_argument("--out", required=True, help="output folder (maps.npy, timing.json)")
    parser.add_argument("--seed", type=int, default=0, help="seeds torch, numpy and random")
    parser.add_argument("--steps", type=int, required=True, help="optimiser steps (the training budget)")
    parser.add_argument("--batch", type=int, default=batch_default, help="slices per step")
    parser.add_argument("--limit", type=int, default=None, help="score only this many test slices (smoke runs)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="torch device")


def check_positive(parser, args, *names):
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")


def import_tree(code, marker_files, folder=""):
    """Puts the authors' tree (or its `folder`) first on sys.path after checking that it holds the files the runner
    imports (paths relative to the tree)."""
    missing = [f for f in marker_files if not os.path.isfile(os.path.join(code, f))]
    if missing:
        sys.exit(f"error: --code {code}: not the expected source tree, missing {', '.join(missing)}")
    sys.path.insert(0, os.path.join(os.path.abspath(code), folder))


def load_export(folder, limit=None):
    """The exported arrays; with a limit, the test arrays are cut to `limit` evenly spaced slices."""
    missing = [f for f in EXPORT_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        sys.exit(f"error: --data {folder}: missing {', '.join(missing)} (write it with `medanomaly data export --data DATASET --out {folder}`)")
    data = {f[:-4]: np.load(os.path.join(folder, f)) for f in EXPORT_FILES}
    m = data["test"].shape[0]
    data["test_indices"] = np.arange(m)
    if limit is not None and limit < m:
        data["test_indices"] = evenly_spaced(m, limit)
        for key in ("test",) + tuple(f[:-4] for f in TEST_FILES):
            data[key] = data[key][data["test_indices"]]
    return data


def evenly_spaced(count, limit):
    """The indices of `limit` evenly spaced test slices out of `count` (what --limit scores), int64."""
    return np.unique(np.linspace(0, count - 1, limit).round().astype(np.int64))


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class StepTimer:
    """Wall time of each training step, whole (sampling + augmentation + update) and of its model part."""

    def __init__(self, device):
        self.device = torch.device(device)
        self.whole, self.model = [], []

    def now(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def record(self, start, model_start, end):
        self.whole.append(end - start)
        self.model.append(end - model_start)

    def medians(self):
        return statistics.median(self.whole), statistics.median(self.model)

    def mean(self):
        return statistics.fmean(self.whole)


def save_npy(path, array):
    """np.save to a temporary name in the same folder, then rename (no half-written file on failure)."""
    tmp = f"{path}.{os.getpid()}.tmp.npy"
    try:
        np.save(tmp, array)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_json(path, obj):
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_outputs(args, data, maps, timer, score_seconds, settings):
    """maps.npy, timing.json and, for a --limit run, the matching test arrays."""
    os.makedirs(args.out, exist_ok=True)
    expected = data["test"].shape
    maps = np.asarray(maps, dtype=np.float32)
    if maps.shape != expected:
        raise RuntimeError(f"maps have shape {maps.shape}, expected {expected}")
    if not np.isfinite(maps).all():
        raise RuntimeError(f"maps hold {int((~np.isfinite(maps)).sum())} non-finite values")
    save_npy(os.path.join(args.out, "maps.npy"), maps)
    if args.limit is not None:
        for f in TEST_FILES:
            save_npy(os.path.join(args.out, f), data[f[:-4]])
        save_npy(os.path.join(args.out, "test_indices.npy"), data["test_indices"].astype(np.int32))
    whole, model = timer.medians()
    save_json(os.path.join(args.out, "timing.json"), {
        "train_seconds_per_step": whole, "train_seconds_per_model_step": model, "train_seconds_per_step_mean": timer.mean(),
        "score_seconds_per_slice": score_seconds / expected[0],
        "steps": args.steps, "batch": args.batch, "seed": args.seed, "device": str(args.device),
        "slices_scored": expected[0], "torch": torch.__version__, "settings": settings,
    })
    print(f"{expected[0]} maps written to {args.out}; train {whole:.4f} s/step, score {score_seconds / expected[0]:.4f} s/slice")


def cycle(loader):
    """Endless iteration over a DataLoader (a new shuffle every pass)."""
    while True:
        for batch in loader:
            yield batch


def parse(parser, argv=None):
    args = parser.parse_args(argv)
    check_positive(parser, args, "steps", "batch", "limit")
    return args


def new_parser(description):
    return argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
