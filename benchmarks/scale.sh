#!/usr/bin/env bash
# The scale table of README ("Scale-out"): one comparison grid run three ways, each a `medanomaly compare` command —
#   1. --executor local --jobs 1   (one cell at a time, libtorch on every core)
#   2. --executor local --jobs 2   (two cells at a time, cores / 2 threads each)
#   3. --executor slurm            (a loopback Slurm cluster on this machine: 2 CPUs, one-CPU tasks, 2 at a time)
# then benchmarks/scale_table.py prints wall time and speed-up per run, and compares every cell's metrics between the
# runs (identical where the threads per cell are equal; the largest difference where they are not).
#
#   benchmarks/scale.sh [--preset quick|tiny] [--methods ae,vae,dae,ddpm,disyre] [--seeds 2] [--out runs/scale] [--data DIR]
#
# Needs a build (make build), and for row 3 root with slurm-wlm and munge (make slurm-deps). The quick grid (5 methods ×
# 2 seeds on the phantom of `make demo`) takes ~10+ minutes per row on 2 cores; --preset tiny checks the script in ~2.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=quick; methods=ae,vae,dae,ddpm,disyre; seeds=2; out=runs/scale; data=""
while [ $# -gt 0 ]; do
  case $1 in
    --preset) preset=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "unknown option $1; usage: $0 [--preset quick|tiny] [--methods LIST] [--seeds N] [--out DIR] [--data DIR]" >&2; exit 2 ;;
  esac
done
cli=./medanomaly
[ -f src/MedAnomaly.Cli/bin/${CONFIG:-Release}/net10.0/MedAnomaly.Cli.dll ] || { echo "scale: build first (make build)" >&2; exit 1; }
if [ -z "$data" ]; then
  # The quick grid runs on the phantom of `make demo`; the tiny check on a small one.
  if [ "$preset" = tiny ]; then data=runs/data/phantom-small; args=(--volumes 6 --size 32 --seed 0)
  else data=runs/data/phantom; args=(--volumes 20 --size 64 --seed 0); fi
  [ -f "$data/manifest.json" ] || $cli data phantom --out "$data" "${args[@]}" >/dev/null
fi
rm -rf "$out"; mkdir -p "$out"
out=$(cd "$out" && pwd)
grid=(compare --methods "$methods" --seeds "$seeds" --data "$data" --preset "$preset")

# Runs one row: `name seconds command…` goes to $out/rows.tsv; the command's output to $out/NAME.log.
row() {
  local name=$1; shift
  echo "== $name: medanomaly $*"
  local start end code=0
  start=$(date +%s.%N)
  "$cli" "$@" >"$out/$name.log" 2>&1 || code=$?
  end=$(date +%s.%N)
  tail -n 4 "$out/$name.log"
  [ "$code" = 0 ] || { echo "scale: $name failed (exit $code); see $out/$name.log" >&2; exit 1; }
  printf '%s\t%s\t%s\n' "$name" "$(echo "$end - $start" | bc)" "medanomaly $*" >>"$out/rows.tsv"
}

row jobs1 "${grid[@]}" --executor local --jobs 1 --store "$out/jobs1/main.db" --out "$out/jobs1/grid"
row jobs2 "${grid[@]}" --executor local --jobs 2 --store "$out/jobs2/main.db" --out "$out/jobs2/grid"

cluster="$out/cluster"
trap 'tests/slurm/loopback-cluster.sh stop "$cluster" >/dev/null 2>&1 || true' EXIT
tests/slurm/loopback-cluster.sh start "$cluster" 2
export SLURM_CONF="$cluster/slurm.conf"
row slurm "${grid[@]}" --executor slurm --cpus-per-task 1 --store "$out/slurm/main.db" --out "$out/slurm/grid"

echo
/usr/bin/python3 benchmarks/scale_table.py "$out"
