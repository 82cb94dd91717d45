#!/usr/bin/python3
"""Training-step and scoring speed of ours against the authors' code, in rounds that alternate the two sides.

  /usr/bin/python3 benchmarks/peers/speed.py --peers PEERS --dataset DIR --export DIR-export --methods anoddpm \\
      --rounds 8 --steps 20 --slices 8 --out OUT

A shared machine's speed drifts by up to 2× within minutes, so times taken in separate runs, even of one compare.py
invocation, do not compare. Here each round runs both sides back to back, each with the same short budget and the same
--slices evenly spaced test slices (the authors' runner's --limit; ours gets the same indices): train --steps steps,
then score. The side that goes first alternates between rounds. Each side's train s/step and score s/slice are read
as compare.py reads them. Prints (and writes to OUT/speed.md, every number in OUT/speed.json) the median per side,
each round's ratio ours/theirs, and a verdict: ours ≤ theirs when the median of the rounds' ratios is ≤ 1.
The method settings (network, sampler, flags of both sides) are compare.py's.
"""
import argparse
import json
import os
import shlex
import statistics
import sys

import numpy as np

import compare
import peer_common

KEYS = (("train_seconds_per_step", "train s/step"), ("score_seconds_per_slice", "score s/slice"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    compare.add_shared_arguments(p, "anoddpm")
    p.add_argument("--rounds", type=int, default=8, help="rounds per method; each runs both sides once")
    p.add_argument("--steps", type=int, default=20, help="training steps per side and round (the method's batch size)")
    p.add_argument("--slices", type=int, default=8, help="evenly spaced test slices each side scores per round")
    args = p.parse_args(argv)
    compare.parse_methods(p, args)
    for name in ("rounds", "steps", "slices"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    return args


def compare_args(args):
    """compare.py's arguments for one short run per side: --steps steps, --slices test slices."""
    return compare.parse_args(["--peers", args.peers, "--dataset", args.dataset, "--export", args.export, "--out", args.out,
                               "--methods", ",".join(args.methods), "--steps", str(args.steps), "--limit", str(args.slices),
                               "--cli", args.cli, "--python", args.python])


def write_indices(args):
    """The test slices of the authors' runner under --limit (peer_common.load_export), and for our train command's own
    evaluation, which is not timed, the first healthy and the first lesioned test slice (its metrics need both):
    OUT/slices.npy, OUT/eval_slices.npy."""
    path = os.path.join(args.export, "test_labels.npy")
    if not os.path.isfile(path):
        sys.exit(f"error: --export {args.export}: no test_labels.npy (write it with `medanomaly data export --data DATASET --out {args.export}`)")
    labels = np.load(path)
    if labels.min() == labels.max():
        sys.exit(f"error: --export {args.export}: test_labels.npy needs healthy and lesioned slices, it holds only label {labels.min()}")
    indices = peer_common.evenly_spaced(len(labels), min(args.slices, len(labels))).astype(np.int32)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "slices.npy"), indices)
    np.save(os.path.join(args.out, "eval_slices.npy"), np.array([np.argmin(labels), np.argmax(labels)], dtype=np.int32))
    return os.path.join(args.out, "slices.npy"), os.path.join(args.out, "eval_slices.npy")


def run_ours(cargs, method, round_, out, slices, eval_slices, log):
    """Our train (evaluating on two slices) then our score on the round's slices; times as compare.py reads them."""
    values = compare.common_values(cargs, method, round_, out)
    values["test_slices"] = f"--test-slices {shlex.quote(eval_slices)}"
    values["slices"] = f"--slices {shlex.quote(slices)}"
    text, _ = compare.run(compare.fill(compare.OURS_TRAIN, values), log)
    values["run"] = compare.run_id(text)
    score_text, _ = compare.run(compare.fill(compare.OURS_SCORE, values), log)
    return compare.our_times(text, score_text)


def run_round(args, cargs, method, round_, slices, eval_slices, log):
    """Both sides once, the first alternating with the round: {round, first, ours: times, theirs: times}."""
    sides = {}
    order = ("theirs", "ours") if round_ % 2 == 0 else ("ours", "theirs")
    for side in order:
        out = os.path.join(args.out, method, side, f"round{round_}")
        print(f"{method} round {round_}: {side}", flush=True)
        sides[side] = (compare.run_theirs(cargs, method, round_, out, log) if side == "theirs"
                       else run_ours(cargs, method, round_, out, slices, eval_slices, log))
        missing = [key for key, value in sides[side].items() if value is None]
        if missing:
            sys.exit(f"error: {method} round {round_}: {side} reported no {' and no '.join(missing)} (log: {log})")
    return {"round": round_, "first": order[0], **sides}


def summary(results):
    lines = ["| method | what | ours (median) | theirs (median) | ours/theirs per round | median ratio | ours ≤ theirs |",
             "|---|---|---|---|---|---|---|"]
    for method, rounds in results.items():
        for key, label in KEYS:
            ours = [r["ours"][key] for r in rounds]
            theirs = [r["theirs"][key] for r in rounds]
            ratios = [o / t for o, t in zip(ours, theirs)]
            ratio = statistics.median(ratios)
            lines.append(f"| {method} | {label} | {statistics.median(ours):.3f} | {statistics.median(theirs):.3f} | "
                         f"{', '.join(f'{r:.2f}' for r in ratios)} | {ratio:.2f}× | {'yes' if ratio <= 1 else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    cargs = compare_args(args)
    slices, eval_slices = write_indices(args)
    log = os.path.join(args.out, "log.txt")
    results = {}
    for method in args.methods:
        results[method] = []
        for round_ in range(args.rounds):
            results[method].append(run_round(args, cargs, method, round_, slices, eval_slices, log))
            with open(os.path.join(args.out, "speed.json"), "w") as f:   # kept up to date: a cut-off run keeps its rounds
                json.dump(results, f, indent=2)
    header = (f"{args.rounds} round(s) per method, sides alternating first; {args.steps} training steps and "
              f"{len(np.load(slices))} scored slices per side and round.\n\n")
    markdown = header + summary(results)
    with open(os.path.join(args.out, "speed.md"), "w") as f:
        f.write(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
