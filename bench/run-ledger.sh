#!/usr/bin/env bash
# Builds the benchmarks in Release and runs the ledger benchmarks (block append, checkpoint vs cp -a), writing
# BenchmarkDotNet's GitHub-markdown tables, the run log and a machine description into bench/results/.
# Usage: bench/run-ledger.sh [extra BenchmarkDotNet arguments, e.g. --filter '*LedgerAppend*']
# Needs about 3 GB free on the temp directory (a 1 GiB database and one copy of it at a time); takes 5 to 10 minutes
# (most of it building the 1 GiB database once per checkpoint benchmark process, and the synced appends).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=bench/results
tmp=${TMPDIR:-/tmp}

free_kb=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt $((3 * 1024 * 1024)) ]; then
  echo "only $((free_kb / 1024)) MiB free on $tmp; the checkpoint benchmarks need about 3 GB" >&2
  exit 1
fi

echo "== build (Release, warnings as errors)"
dotnet build bench/Cairn.Benchmarks -c Release -warnaserror -v quiet -nologo

artifacts=$(mktemp -d "$tmp/cairn-bench-artifacts-XXXXXX")
trap 'rm -rf "$artifacts"' EXIT

filter=(--filter '*LedgerAppendBenchmarks*' '*CheckpointBenchmarks*')
for arg in "$@"; do
  if [ "$arg" = "--filter" ]; then filter=(); fi
done

echo "== run"
describe_machine >"$artifacts/machine.txt"

dotnet bench/Cairn.Benchmarks/bin/Release/net10.0/Cairn.Benchmarks.dll \
  "${filter[@]}" --exporters github --artifacts "$artifacts" "$@"

echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$artifacts/machine.txt"

# One run per results directory: the tables, the log and machine.txt always belong together.
rm -rf "$results"
mkdir -p "$results"
cp "$artifacts"/machine.txt "$artifacts"/results/*-report-github.md "$results"/
cp "$artifacts"/*.log "$results"/
echo "== results in $results"
ls -1 "$results"
