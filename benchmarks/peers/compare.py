#!/usr/bin/python3
"""Ours against the authors' code, seed by seed, on one exported data set; both scored by `medanomaly metrics`.

  /usr/bin/python3 benchmarks/peers/compare.py --peers PEERS --dataset runs/data/peers --export runs/data/peers-export \\
      --methods disyre,ae,anoddpm --seeds 3 --out runs/peers

For each method and seed: our side runs --ours-train then --ours-score (templates, below), the authors' side runs
--theirs (by default the method's runner in this folder on the export), then `medanomaly metrics --scores maps.npy
--masks test_masks.npy --foreground test_foreground.npy --volume-ids test_volume_ids.npy --json` scores each side's
maps. Prints (and writes to OUT/results.md, with every number in OUT/results.json) a Markdown table: pixel AP, best
Dice, image AUROC as mean ± sample standard deviation over seeds, train s/step and score s/slice.

Templates are bash command lines; these placeholders are replaced by shell-quoted values:
  {seed} {out} (that side's output folder for the seed: maps.npy must end up there) {data} (the data set folder with
  manifest.json) {export} (the `medanomaly data export` folder) {code} (the authors' tree) {cli} (the medanomaly
  command) {steps} {batch} (the budget) {method} (our method name) {python} {peers} (this folder) {run} (in
  --ours-score: the run id that --ours-train printed as "run N completed") {slices} {test_slices} (`score --slices FILE`
  and `train --test-slices FILE` with the slices the authors' runner scored, its test_indices.npy, when it wrote one).
Our train s/step is the seconds_per_step `medanomaly train` prints (a mean over steps); our score s/slice is the one
`medanomaly score` prints (the scoring alone, as the authors' runners time theirs; without that line, the wall time of
--ours-score over the slices). A timing.json that our commands
leave in {out} (keys train_seconds_per_step, score_seconds_per_slice) takes precedence. The authors' side reports
train_seconds_per_step_mean and score_seconds_per_slice from its timing.json. The times describe these runs, which lie
minutes apart on a machine whose speed drifts; speed.py, which alternates the sides in short rounds, gives the verdict.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CLI = os.path.join(os.path.dirname(os.path.dirname(HERE)), "medanomaly")

OURS_TRAIN = ("{cli} train --method {method} {ours_args} --seed {seed} --data {data} --store {out}/store/medanomaly.db "
              "--set steps={steps} --set batchsize={batch} --post none {test_slices}")
OURS_SCORE = "{cli} score --run {run} --data {data} --store {out}/store/medanomaly.db --out {out} {slices}"
THEIRS = "{python} {peers}/{runner} --code {code} --data {export} --out {out} --seed {seed} --steps {steps} --batch {batch} {peer_args}"

# Per method: our registry name, the runner, the authors' tree under --peers, the budget, and the flags that give both
# sides the same network, optimiser and inference: our `train` flags (ours_args) and the runner's (peer_args). Maps are
# compared raw (DISYRE's runner without its foreground weighting), zeroed outside the brain as every MedAnomaly map is, and
# then post-processed alike by `medanomaly metrics`.
METHODS = {
    "disyre": dict(ours="disyre", runner="disyre_peer.py", tree="disyre", steps=300, batch=16,
                   ours_args="--preset paper --set CropSize=64 --set learningRate=1e-4 --set warmupSteps=15 --set precision=Float32",
                   peer_args="--crop 64 --lr 1e-4 --warmup 15 --inference-steps 4 --no-weight-foreground"),
    "ae": dict(ours="ae", runner="medianomaly_ae_peer.py", tree="medianomaly", steps=300, batch=64,
               ours_args="--preset paper", peer_args="--model ae --lr 1e-3"),
    "vae": dict(ours="vae", runner="medianomaly_ae_peer.py", tree="medianomaly", steps=300, batch=64,
                ours_args="--preset paper", peer_args="--model vae --lr 1e-3"),
    "anoddpm": dict(ours="ddpm", runner="anoddpm_peer.py", tree="anoddpm", steps=500, batch=8,
                    ours_args="--preset quick --set Network.Channels=[32,64,96,128] --set Network.AttentionLevels=[2,3] "
                              "--set Network.GroupNormGroups=32 --set Network.ZeroInitOutputs=true "
                              "--set Sampler=Ddpm --set InferenceSteps=250 --set learningRate=1e-3 --set warmupSteps=0 --set cosineDecay=false "
                              "--set gradientClip=1 --set Simplex.Scale=0.7",
                    peer_args="--lr 1e-3 --base-channels 32 --attention-resolutions 16,8 --lambda 250 --score-weights model --no-augment"),
}
COLUMNS = (("pixel AP", ("pixel", "ap")), ("best Dice", ("pixel", "best_dice")), ("image AUROC", ("image", "auroc")))


def add_shared_arguments(p, methods):
    """The flags compare.py and speed.py share: the trees, the data on both sides, the output, the methods (default
    `methods`), the commands."""
    p.add_argument("--peers", required=True, help="folder holding disyre/, medianomaly/, anoddpm/ (and pypath/ with DISYRE's dependencies)")
    p.add_argument("--dataset", required=True, help="data set folder with manifest.json (our side)")
    p.add_argument("--export", required=True, help="its `medanomaly data export` folder (the authors' side)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--methods", default=methods, help=f"comma-separated, from {', '.join(METHODS)}")
    p.add_argument("--cli", default=DEFAULT_CLI, help="the medanomaly command")
    p.add_argument("--python", default="/usr/bin/python3", help="python with torch 1.13+ (Debian's)")


def parse_methods(p, args):
    """--methods as a list; an unknown name is a parser error."""
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        p.error(f"--methods: unknown {', '.join(unknown)}; expected some of {', '.join(METHODS)}")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_shared_arguments(p, "disyre,ae,anoddpm")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0 … N−1")
    p.add_argument("--steps", type=int, default=None, help="training steps of both sides (default: our quick preset's)")
    p.add_argument("--batch", type=int, default=None, help="batch size of both sides (default: our quick preset's)")
    p.add_argument("--ours-train", default=OURS_TRAIN, help="template: trains our method")
    p.add_argument("--ours-score", default=OURS_SCORE, help="template: writes {out}/maps.npy")
    p.add_argument("--theirs", default=THEIRS, help="template: the authors' side ({runner} and {peer_args} are the method's)")
    p.add_argument("--peer-args", default=None, help="extra flags for the runner (default: the method's)")
    p.add_argument("--limit", type=int, default=None, help="smoke runs: the runner scores this many test slices; ours is cut to the same")
    p.add_argument("--posts", default="none,fg-weight", help="map post-processings applied alike to both sides' maps by `medanomaly metrics --post`")
    p.add_argument("--resume", action="store_true", help="keep the seeds OUT/results.json already has (delete a method's entry there to rerun it)")
    p.add_argument("--ours-args", default=None, help="extra flags for our train command (default: the method's)")
    args = p.parse_args(argv)
    parse_methods(p, args)
    args.posts = [p.strip() for p in args.posts.split(",") if p.strip()]
    if args.seeds < 1:
        p.error(f"--seeds must be at least 1, got {args.seeds}")
    return args


def fill(template, values):
    for key, value in values.items():
        template = template.replace("{" + key + "}", value if key in ("peer_args", "ours_args", "slices", "test_slices") else shlex.quote(str(value)))
    return template


def run(command, log, env=None):
    """Runs a bash command line, appending its output to the log; returns (stdout + stderr, seconds)."""
    start = time.perf_counter()
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    with open(log, "a") as f:
        f.write(f"$ {command}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        sys.exit(f"error: exit {result.returncode} from\n  {command}\n{(result.stdout + result.stderr)[-2000:]}\n(log: {log})")
    return result.stdout + result.stderr, seconds


def peer_env(peers):
    """PYTHONPATH with PEERS/pypath (DISYRE's pure-Python dependencies) when it exists."""
    env = dict(os.environ)
    pypath = os.path.join(peers, "pypath")
    if os.path.isdir(pypath):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pypath, env.get("PYTHONPATH", "")) if p)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


def test_origins(export):
    with open(os.path.join(export, "slices.txt")) as f:
        lines = f.read().splitlines()
    return lines[-len(np.load(os.path.join(export, "test_labels.npy"))):]


def run_ours(args, method, seed, out, log):
    values = common_values(args, method, seed, out)
    theirs_indices = os.path.join(os.path.dirname(os.path.dirname(out)), "theirs", os.path.basename(out), "test_indices.npy")
    listed = os.path.isfile(theirs_indices)
    values["slices"] = f"--slices {shlex.quote(theirs_indices)}" if listed else ""
    values["test_slices"] = f"--test-slices {shlex.quote(theirs_indices)}" if listed else ""
    text, train_seconds = run(fill(args.ours_train, values), log)
    values["run"] = run_id(text)
    score_text, score_seconds = run(fill(args.ours_score, values), log)
    if not values["slices"]:
        check_order(args.export, out)
    slices = len(np.load(os.path.join(out, "maps.npy"), mmap_mode="r"))
    timing = our_times(text, score_text)
    if timing["train_seconds_per_step"] is None:
        timing["train_seconds_per_step"] = train_seconds / values["steps"]
    if timing["score_seconds_per_slice"] is None:
        timing["score_seconds_per_slice"] = score_seconds / slices
    timing.update(read_json(os.path.join(out, "timing.json")) or {})
    return timing


def run_id(train_text):
    """The id `medanomaly train` printed as "run N completed" ("" when it printed none)."""
    ids = re.findall(r"^run (\d+) completed", train_text, re.M)
    return ids[-1] if ids else ""


def our_times(train_text, score_text):
    """train s/step and score s/slice as `medanomaly train` and `medanomaly score` print them (None where not printed)."""
    per_step = re.findall(r"seconds_per_step\s+([0-9.eE+-]+)", train_text)
    per_slice = re.findall(r"scoring took [0-9.]+ s \(([0-9.]+) s per slice\)", score_text)
    return {"train_seconds_per_step": float(per_step[-1]) if per_step else None,
            "score_seconds_per_slice": float(per_slice[-1]) if per_slice else None}


def check_order(export, out):
    """Our score command names its slices in sources.txt: they must be the export's test slices, in its order."""
    sources = os.path.join(out, "sources.txt")
    if os.path.isfile(sources):
        with open(sources) as f:
            if f.read().splitlines() != test_origins(export):
                sys.exit(f"error: {sources} does not list the test slices of {export}/slices.txt in the same order")


def run_theirs(args, method, seed, out, log):
    spec = METHODS[method]
    values = common_values(args, method, seed, out)
    values.update(runner=spec["runner"], peer_args=args.peer_args if args.peer_args is not None else spec["peer_args"])
    if args.limit is not None:
        values["peer_args"] += f" --limit {args.limit}"
    run(fill(args.theirs, values), log, env=peer_env(args.peers))
    timing = read_json(os.path.join(out, "timing.json")) or {}
    return {"train_seconds_per_step": timing.get("train_seconds_per_step_mean", timing.get("train_seconds_per_step")),
            "score_seconds_per_slice": timing.get("score_seconds_per_slice")}


def common_values(args, method, seed, out):
    spec = METHODS[method]
    return {"seed": seed, "out": out, "data": args.dataset, "export": args.export, "cli": args.cli, "python": args.python,
            "peers": HERE, "method": spec["ours"], "code": os.path.join(args.peers, spec["tree"]),
            "steps": args.steps or spec["steps"], "batch": args.batch or spec["batch"],
            "ours_args": args.ours_args if args.ours_args is not None else spec["ours_args"]}


def read_json(path):
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def score_maps(args, out, subset_from, log):
    """`medanomaly metrics --post P` on {out}/maps.npy against the export's arrays (or the subset a --limit run wrote), for
    each post-processing P of --posts: {P: {column: value}}."""
    return {post: score_post(args, out, subset_from, post, log) for post in args.posts}


def score_post(args, out, subset_from, post, log):
    maps = os.path.join(out, "maps.npy")
    truth = subset_from if os.path.isfile(os.path.join(subset_from, "test_indices.npy")) else args.export
    if truth != args.export and not os.path.isfile(os.path.join(out, "test_indices.npy")):
        indices = np.load(os.path.join(truth, "test_indices.npy"))
        if len(np.load(maps, mmap_mode="r")) != len(indices):   # our side scored the whole test split: cut it alike
            np.save(os.path.join(out, "maps_subset.npy"), np.load(maps)[indices])
            maps = os.path.join(out, "maps_subset.npy")
    masked = os.path.join(out, "maps_in_brain.npy")   # every MedAnomaly map is zero outside the brain; the authors' AE maps are not
    np.save(masked, np.load(maps) * (np.load(os.path.join(truth, "test_foreground.npy")) > 0))
    command = " ".join(shlex.quote(a) for a in [
        args.cli, "metrics", "--scores", masked, "--masks", os.path.join(truth, "test_masks.npy"),
        "--foreground", os.path.join(truth, "test_foreground.npy"), "--volume-ids", os.path.join(truth, "test_volume_ids.npy"),
        "--post", post, "--json"])
    text, _ = run(command, log)
    report = json.loads(text[text.index("{"):])
    return {name: report[level][key] for name, (level, key) in COLUMNS}


def mean_std(values, digits):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def table(results, seeds, posts):
    head = ["method", "post-processing", "side"] + [c for c, _ in COLUMNS] + ["train s/step", "score s/slice"]
    lines = [f"Mean ± sample std over {seeds} seed(s).", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for method, sides in results.items():
        for post in posts:
            for side, runs in sides.items():
                cells = [mean_std([r["metrics"][post][c] for r in runs], 3) for c, _ in COLUMNS]
                cells += [mean_std([r["timing"].get(k) for r in runs], 3) for k in ("train_seconds_per_step", "score_seconds_per_slice")]
                lines.append("| " + " | ".join([method, post, side] + cells) + " |")
    return "\n".join(lines) + "\n"


def verdicts(results, posts):
    """Per method and post-processing, the goal of issue #16: our mean ≥ their mean − their sample std, for pixel AP and
    best Dice; and our train s/step and score s/slice ≤ theirs (means)."""
    lines = ["", "| method | post-processing | pixel AP: ours ≥ theirs − std | best Dice: ours ≥ theirs − std | train step ≤ theirs | scoring ≤ theirs |",
             "|---|---|---|---|---|---|"]
    for method, sides in results.items():
        if not sides["ours"] or not sides["theirs"]:
            continue
        for post in posts:
            cells = []
            for column in ("pixel AP", "best Dice"):
                ours = statistics.mean(r["metrics"][post][column] for r in sides["ours"])
                theirs = [r["metrics"][post][column] for r in sides["theirs"]]
                bar = statistics.mean(theirs) - (statistics.stdev(theirs) if len(theirs) > 1 else 0)
                cells.append(f"{'yes' if ours >= bar else 'no'} ({ours:.3f} vs {bar:.3f})")
            for key in ("train_seconds_per_step", "score_seconds_per_slice"):
                ours = [r["timing"].get(key) for r in sides["ours"] if r["timing"].get(key) is not None]
                theirs = [r["timing"].get(key) for r in sides["theirs"] if r["timing"].get(key) is not None]
                cells.append("—" if not ours or not theirs else
                             f"{'yes' if statistics.mean(ours) <= statistics.mean(theirs) else 'no'} ({statistics.mean(ours) / statistics.mean(theirs):.2f}×)")
            lines.append("| " + " | ".join([method, post] + cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    log = os.path.join(args.out, "log.txt")
    results = (read_json(os.path.join(args.out, "results.json")) if args.resume else None) or {}
    for method in args.methods:
        results.setdefault(method, {"ours": [], "theirs": []})
        for seed in range(args.seeds):
            if all(any(r["seed"] == seed for r in results[method][side]) for side in ("ours", "theirs")):
                print(f"{method} seed {seed}: kept from {args.out}/results.json", flush=True)
                continue
            for side in ("ours", "theirs"):
                results[method][side] = [r for r in results[method][side] if r["seed"] != seed]
            theirs_out = os.path.join(args.out, method, "theirs", f"seed{seed}")
            ours_out = os.path.join(args.out, method, "ours", f"seed{seed}")
            print(f"{method} seed {seed}: theirs", flush=True)
            timing = run_theirs(args, method, seed, theirs_out, log)
            results[method]["theirs"].append({"seed": seed, "timing": timing, "metrics": score_maps(args, theirs_out, theirs_out, log)})
            print(f"{method} seed {seed}: ours", flush=True)
            timing = run_ours(args, method, seed, ours_out, log)
            results[method]["ours"].append({"seed": seed, "timing": timing, "metrics": score_maps(args, ours_out, theirs_out, log)})
            with open(os.path.join(args.out, "results.json"), "w") as f:   # kept up to date: a cut-off run keeps its seeds
                json.dump(results, f, indent=2)
    markdown = table(results, args.seeds, args.posts) + verdicts(results, args.posts)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
