#!/usr/bin/env bash
# On-demand DB checkpoint latency: a 4-replica cluster under continuous client load; each `cairn op dbCheckpoint
# create` is timed from the command being sent to every replica reporting the checkpoint (the CLI waits for all).
# Usage: bench/checkpoint-latency.sh [rounds] [clients]   (defaults: 5 16). Appends to bench/results/checkpoint-latency.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} clients=${2:-16}
cairn=src/Cairn.Cli/bin/Release/net10.0/cairn
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cp-latency-XXXXXX")
trap '"$cairn" cluster down --dir "$work/c" >/dev/null 2>&1 || true; kill "${load_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build src/Cairn.Cli -c Release -v quiet -nologo >/dev/null
"$cairn" cluster init --dir "$work/c" --base-port 7960 >/dev/null
"$cairn" cluster up --dir "$work/c" >/dev/null
"$cairn" load --cluster "$work/c" --requests 100000000 --clients "$clients" --json >/dev/null 2>&1 &
load_pid=$!
sleep 3
times=()
for _ in $(seq 1 "$rounds"); do
  start=$(date +%s.%N)
  "$cairn" op dbCheckpoint create --cluster "$work/c" --json >/dev/null
  times+=("$(echo "$(date +%s.%N) - $start" | bc)")
done
mkdir -p bench/results
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg):" \
    "\`bench/checkpoint-latency.sh $rounds $clients\`: seconds from 'op dbCheckpoint create' sent to all 4 replicas" \
    "reporting, under $clients-client load: ${times[*]}"
} | tee -a bench/results/checkpoint-latency.md
