#!/usr/bin/env bash
# Runs the xunit suite and ends with one line of totals: "N passed, N failed, N skipped".
set -uo pipefail
config=${1:-Release}
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"; mkdir -p "$results"
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
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
if [ "${passed:-0}" = 0 ]; then exit 1; fi
exit $status
