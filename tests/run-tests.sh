#!/usr/bin/env bash
# Runs the xunit suite, then the notebooks (tests/run-notebooks.sh), and ends with one line of totals over both:
# "tests: N passed, N failed, N skipped". SKIP_NOTEBOOKS=1 leaves the notebooks out.
set -uo pipefail
config=${1:-Release}
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"; mkdir -p "$results"
# The Slurm tests start a loopback cluster in this folder and stop it when they end; should the test host die first,
# this trap stops it (tests/slurm/loopback-cluster.sh stops only what it started there).
export MEDANOMALY_TEST_SLURM_DIR="$PWD/build/slurm-cluster"
trap 'tests/slurm/loopback-cluster.sh stop "$MEDANOMALY_TEST_SLURM_DIR" >/dev/null 2>&1' EXIT
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet test tests/MedAnomaly.Tests -c "$config" --no-build \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
trx=$(ls "$results"/*.trx 2>/dev/null | head -1)
if [ -z "$trx" ]; then
  echo "tests: 0 passed, 1 failed (the test run produced no results; see above)"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
skipped=$(( total - executed ))
passed=${passed:-0}; failed=${failed:-0}
if [ "${SKIP_NOTEBOOKS:-0}" != 1 ]; then
  ./tests/run-notebooks.sh 2>&1 | tee "$results/notebooks.log"
  nb_status=${PIPESTATUS[0]}
  line=$(grep '^notebooks: [0-9]* passed' "$results/notebooks.log" | tail -1)
  nb_passed=$(echo "$line" | grep -o '[0-9]* passed' | grep -o '[0-9]*'); nb_failed=$(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
  if [ -z "$line" ]; then nb_passed=0; nb_failed=1; fi
  passed=$((passed + ${nb_passed:-0})); failed=$((failed + ${nb_failed:-0}))
  if [ "$nb_status" != 0 ] && [ "$status" = 0 ]; then status=$nb_status; fi
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "${passed}" = 0 ]; then exit 1; fi
exit $status
