#!/usr/bin/env bash
# Builds with warnings as errors, checks formatting, runs every test project, and ends with "N passed, N failed".
# Usage: ./test.sh [--faults]   (extra arguments are passed to the test runner)
set -uo pipefail
cd "$(dirname "$0")"

# Raise this when tests are added: the run fails if fewer tests than this ran (a project silently skipped, say).
MIN_TOTAL_TESTS=380

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --faults: the long fault runs (more kill -9 rounds, more simulation seeds) instead of the short default ones.
args=()
for arg in "$@"; do
  if [ "$arg" = "--faults" ]; then export CAIRN_FAULTS=1 CAIRN_SIM_SEEDS=${CAIRN_SIM_SEEDS:-2000}; else args+=("$arg"); fi
done
log=$(mktemp); trap 'rm -f "$log"' EXIT

fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "== restore"
dotnet restore Cairn.slnx >"$log" 2>&1 || { cat "$log"; fail "restore failed"; }

echo "== build (warnings as errors)"
dotnet build Cairn.slnx --no-restore -c Release -warnaserror >"$log" 2>&1 || { grep -E 'error|warning' "$log" | sort -u | head -50; fail "build failed"; }

echo "== format"
dotnet format Cairn.slnx --verify-no-changes --no-restore >"$log" 2>&1 || { head -50 "$log"; fail "formatting differs: run 'dotnet format Cairn.slnx'"; }

echo "== tests"
dotnet test --solution Cairn.slnx --no-build -c Release --minimum-expected-tests 1 "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform's closing summary: "  total: T", "  failed: F", "  succeeded: S", "  skipped: K".
total=$(grep -E '^\s*total:' "$log" | tail -1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s*failed:' "$log" | tail -1 | grep -oE '[0-9]+')
passed=$(grep -E '^\s*succeeded:' "$log" | tail -1 | grep -oE '[0-9]+')
skipped=$(grep -E '^\s*skipped:' "$log" | tail -1 | grep -oE '[0-9]+')
total=${total:-0} failed=${failed:-0} passed=${passed:-0} skipped=${skipped:-0}

if [ "$status" -eq 0 ] && [ "$total" -lt "$MIN_TOTAL_TESTS" ]; then
  echo "only $total tests ran, expected at least $MIN_TOTAL_TESTS" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# Name the failures again right above the summary, so a log kept only by its tail still says what failed.
if [ "$failed" -gt 0 ]; then grep -E '^\s*failed [A-Za-z_]' "$log" | sed 's/^ */failed test: /; s/^failed test: failed /failed test: /' | head -20; fi
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
exit "$status"
