#!/usr/bin/env python3
"""The scale table of benchmarks/scale.sh: wall time and speed-up of each run of the same grid, then every cell's
metrics compared between each pair of runs: identical where the runs gave each cell the same number of libtorch
threads (the run store records it in runs.machine), otherwise the largest difference.

    benchmarks/scale_table.py OUT      # OUT: the folder scale.sh wrote (rows.tsv and NAME/main.db per run)
"""
import math
import re
import sqlite3
import sys
from pathlib import Path

LABELS = {"jobs1": "`--executor local --jobs 1`", "jobs2": "`--executor local --jobs 2`",
          "slurm": "`--executor slurm` (loopback, 2 one-CPU tasks at a time)"}


def read_run(store):
    """(method, seed) -> (threads, {(split, metric): value}) of the completed runs; seconds_per_step left out."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    cells = {}
    for run_id, method, seed, machine in db.execute("SELECT id, method, seed, machine FROM runs WHERE status = 'completed'"):
        threads = re.search(r"libtorch threads (\d+)", machine or "")
        metrics = {(split, name): value for split, name, value in
                   db.execute("SELECT split, name, value FROM metrics WHERE run_id = ? AND name <> 'seconds_per_step'", (run_id,))}
        cells[(method, seed)] = (int(threads.group(1)) if threads else None, metrics)
    return cells


def same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and a == b)


def largest_difference(x, y):
    """(|difference|, cell, metric) over the cells and metrics both runs have; NULL (undefined) counts equal to NULL."""
    worst = (0.0, None, None)
    for cell in sorted(set(x) & set(y)):
        for key in sorted(set(x[cell][1]) & set(y[cell][1])):
            a, b = x[cell][1][key], y[cell][1][key]
            if same(a, b):
                continue
            d = math.inf if a is None or b is None else abs(a - b)
            if d > worst[0]:
                worst = (d, cell, key)
    return worst


def main(out):
    out = Path(out)
    rows = [line.split("\t") for line in (out / "rows.tsv").read_text().splitlines() if line]
    runs = {name: read_run(out / name / "main.db") for name, _, _ in rows}
    base = float(rows[0][1])
    print("| run | cells | libtorch threads per cell | wall time | speed-up |")
    print("| :-- | --: | --: | --: | --: |")
    for name, seconds, _ in rows:
        threads = sorted({t for t, _ in runs[name].values()})
        print(f"| {LABELS.get(name, name)} | {len(runs[name])} | {', '.join(map(str, threads))} | "
              f"{float(seconds) / 60:.1f} min | {base / float(seconds):.2f}× |")
    print()
    print("| runs compared | threads per cell | cells | metrics | result |")
    print("| :-- | :-- | --: | --: | :-- |")
    names = [name for name, _, _ in rows]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            x, y = runs[a], runs[b]
            common = sorted(set(x) & set(y))
            compared = sum(len(set(x[c][1]) & set(y[c][1])) for c in common)
            tx, ty = sorted({x[c][0] for c in common}), sorted({y[c][0] for c in common})
            d, cell, key = largest_difference(x, y)
            if cell is None:
                result = "identical, every metric to the last digit"
            else:
                result = f"largest difference {d:.3g} ({cell[0]} seed {cell[1]}, {key[0]}/{key[1]})"
            print(f"| {a} vs {b} | {'/'.join(map(str, tx))} vs {'/'.join(map(str, ty))} | {len(common)} | {compared} | {result} |")
    print()
    for name, seconds, command in rows:
        print(f"{name}: {command}  ({float(seconds):.1f} s)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
