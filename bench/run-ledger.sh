#!/usr/bin/env bash
# Builds the benchmarks in Release and runs the ledger benchmarks (block append, checkpoint vs cp -a), writing
# BenchmarkDotNet's GitHub-markdown tables, the run log and a machine description into bench/results/.
# Usage: bench/run-ledger.sh [extra BenchmarkDotNet arguments, e.g. --filter '*LedgerAppend*']
# Needs about 3 GB free on the temp directory (a 1 GiB database and one copy of it at a time); takes 5 to 10 minutes
# (most of it building the 1 GiB database once per checkpoint benchmark process, and the synced appends).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
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
{
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit:  $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- bench src || echo ' (with uncommitted changes)')"
  echo "cpu:     $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory:  $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
  echo "disk:    $(df -PT "$tmp" | awk 'NR == 2 { print $1 " (" $2 ")" }'), rotational flag $(cat "/sys/block/$(basename "$(df -P "$tmp" | awk 'NR == 2 { print $1 }')")/queue/rotational" 2>/dev/null || echo '?')"
  echo "kernel:  $(uname -r)"
  echo "dotnet:  SDK $(dotnet --version)"
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$artifacts/machine.txt"

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
