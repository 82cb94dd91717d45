#!/usr/bin/env bash
# Executes every notebook headless with dotnet-repl (the .NET Interactive engine VS Code uses) into build/notebooks/,
# one at a time, each under a timeout, with its default (quick) parameters. A notebook fails when
#   - dotnet-repl exits non-zero (2: a cell has an error output; 139: a native crash; 124: the timeout),
#   - the executed file is missing (a crash writes nothing: dotnet-repl writes the file at the end),
#   - the executed file does not validate with nbformat without warnings (after adding the cell ids dotnet-repl drops),
#   - or the committed notebook carries outputs or lacks the Polyglot metadata.
# Prints one line per notebook, then "notebooks: N passed, N failed, 0 skipped". Needs `make build` (the local feed).
#
#   tests/run-notebooks.sh [NOTEBOOK...]     default: notebooks/[0-9][0-9]-*.ipynb
#   NOTEBOOK_TIMEOUT=300 tests/run-notebooks.sh          seconds per notebook (default 480: a guard against hangs, not a budget)
#   MEDANOMALY_NB_STEPS=5000 tests/run-notebooks.sh ...  parameters reach every notebook (docs/notebooks.md)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=build/notebooks
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The timeout catches a hung kernel. The longest defaults (05-ddpm, 08-tutorial: two short trainings each) took 82 s
# and 98 s on the 2-core VM with one libtorch thread beside another job, and 221 s and 239 s with other jobs keeping
# both cores busy (load 6), hence 480 s.
: "${NOTEBOOK_TIMEOUT:=480}"
# libtorch's OpenMP wait policy is MedAnomaly's own default in the kernel (PASSIVE with a short spin,
# src/MedAnomaly/Runtime/OpenMpWaitPolicy.cs), unless the environment sets OMP_WAIT_POLICY or GOMP_SPINCOUNT.

if [ ! -d artifacts/feed ]; then
  echo "notebooks: artifacts/feed is missing; run 'make build' first (it packs MedAnomaly.Notebooks)"
  echo "notebooks: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

if [ $# -gt 0 ]; then books=("$@"); else books=(notebooks/[0-9][0-9]-*.ipynb); fi
passed=0; failed=0
for book in "${books[@]}"; do
  name=$(basename "$book" .ipynb)
  result="$root/$out/$name.ipynb"; log="$root/$out/$name.log"
  rm -f "$result"
  problems=$(/usr/bin/python3 tests/validate-notebook.py source "$book")
  start=$(date +%s.%N)
  # From the notebook's folder, as VS Code runs it: notebooks/NuGet.Config then finds the local feed.
  (cd "$(dirname "$book")" && timeout --kill-after=10 "$NOTEBOOK_TIMEOUT" dotnet repl --run "$(basename "$book")" \
      --exit-after-run --output-path "$result") >"$log" 2>&1
  rc=$?
  seconds=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
  # The clock decides too: a run stopped by the timeout at 240.3 s here was reported only as "no executed notebook".
  if [ $rc = 124 ] || [ $rc = 137 ] || [ "$(echo "$seconds >= $NOTEBOOK_TIMEOUT" | bc)" = 1 ]; then
    problems+=$'\n'"timed out after ${NOTEBOOK_TIMEOUT} s"
  elif [ $rc != 0 ]; then problems+=$'\n'"dotnet repl exited with $rc$( [ $rc = 2 ] && echo ' (a cell has an error output)')"; fi
  if [ ! -s "$result" ]; then problems+=$'\n'"no executed notebook was written (a crash?); see $out/$name.log"
  else problems+=$'\n'$(/usr/bin/python3 tests/validate-notebook.py executed "$result"); fi
  problems=$(echo "$problems" | sed '/^\s*$/d')
  if [ -z "$problems" ]; then
    passed=$((passed + 1)); echo "notebook $name: passed (${seconds} s) -> $out/$name.ipynb"
  else
    failed=$((failed + 1)); echo "notebook $name: FAILED (${seconds} s)"; echo "$problems" | sed 's/^/    /'
  fi
done
echo "notebooks: $passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
