#!/usr/bin/env bash
# Builds with warnings as errors, checks formatting, runs every test project, and ends with "N passed, N failed".
# Usage: ./test.sh [--faults]   (extra arguments are passed to the test runner)
set -uo pipefail
cd "$(dirname "$0")"

# Raise this when tests are added: the run fails if fewer tests than this passed (a project silently skipped, say).
# Skipped tests do not count.
MIN_PASSED_TESTS=776

# Longest one test assembly may run before the runner stops it, so a stuck process cannot hang the suite.
ASSEMBLY_TIMEOUT=20m

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --faults: the long fault runs (more kill -9 rounds, 10,000 simulation seeds per f) instead of the short default ones;
# the simulator alone then needs about an hour on 2 cores, so one assembly may run longer.
args=()
for arg in "$@"; do
  if [ "$arg" = "--faults" ]; then
    export CAIRN_FAULTS=1 CAIRN_SIM_SEEDS=${CAIRN_SIM_SEEDS:-10000}
    ASSEMBLY_TIMEOUT=180m
  else
    args+=("$arg")
  fi
done
log=$(mktemp); tests_log=$(mktemp); trap 'rm -f "$log" "$tests_log"' EXIT

fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "== restore"
dotnet restore Cairn.slnx >"$log" 2>&1 || { cat "$log"; fail "restore failed"; }

echo "== build (warnings as errors)"
dotnet build Cairn.slnx --no-restore -c Release -warnaserror >"$log" 2>&1 || { grep -E 'error|warning' "$log" | sort -u | head -50; fail "build failed"; }

# The build already fails on every code-style rule (EnforceCodeStyleInBuild with warnings as errors: see
# Directory.Build.props), so only whitespace is left to check, and that needs no second compilation of the solution.
echo "== format (whitespace)"
dotnet format whitespace --folder --verify-no-changes >"$log" 2>&1 || { head -50 "$log"; fail "formatting differs: run 'dotnet format Cairn.slnx'"; }

# Test projects that start replica clusters say so in their .csproj with
# <CairnTestsStartClusters>true</CairnTestsStartClusters>. They run after the others, one assembly at a time (inside
# each, at most three tests at a time: see their AssemblyInfo.cs), so that a 2-core machine never runs more than three
# clusters; the others (some start a single process: a crash tool, one replica, the packed CLI) run two at a time first.
others=() clusters=()
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  module="tests/$name/bin/Release/net10.0/$name.dll"
  [ -f "$module" ] || fail "$project was not built: is it in Cairn.slnx?"
  if grep -q '<CairnTestsStartClusters>true</CairnTestsStartClusters>' "$project"; then clusters+=("$module"); else others+=("$module"); fi
done

status=0
# run_tests LABEL PARALLEL MODULE...: one `dotnet test` over the modules; its output is added to $tests_log.
run_tests() {
  local label=$1 parallel=$2; shift 2
  local modules; modules=$(IFS=';'; echo "$*")
  echo "== tests: $label"
  dotnet test --test-modules "$modules" --root-directory "$PWD" --max-parallel-test-modules "$parallel" \
    --minimum-expected-tests 1 --timeout "$ASSEMBLY_TIMEOUT" "${args[@]}" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  cat "$log" >> "$tests_log"
}
run_tests "without clusters" 2 "${others[@]}"
run_tests "replica clusters, one assembly at a time" 1 "${clusters[@]}"

# Microsoft.Testing.Platform's closing summary of each run: "  total: T", "  failed: F", "  succeeded: S", "  skipped: K".
sum() { grep -E "^\s*$1:" "$tests_log" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
failed=$(sum failed) passed=$(sum succeeded) skipped=$(sum skipped)

if [ "$status" -eq 0 ] && [ "$passed" -lt "$MIN_PASSED_TESTS" ]; then
  echo "only $passed tests passed, expected at least $MIN_PASSED_TESTS (skipped ones do not count)" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# Name the skipped tests with their reasons and the failures right above the summary, so a log kept only by its tail
# still says what did not run and what failed.
if [ "$skipped" -gt 0 ]; then
  echo "skipped ($skipped), with the reason:"
  grep -A1 -E '^skipped [A-Za-z_]' "$tests_log" | grep -vE '^--$' | paste - - | sed -E 's/^skipped ([^\t]*)\t\s*/  \1: /'
fi
if [ "$failed" -gt 0 ]; then
  # The runners' whole output stays where a caller that keeps only the tail (a fresh-clone check) can still read why.
  kept=$(mktemp -t cairn-test-failures-XXXXXX.log) && cp "$tests_log" "$kept" && echo "the test output: $kept"
  grep -E '^\s*failed [A-Za-z_]' "$tests_log" | sed 's/^ */failed test: /; s/^failed test: failed /failed test: /' | head -20
fi
echo "$passed passed, $failed failed"
exit "$status"
