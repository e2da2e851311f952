#!/usr/bin/env bash
# On-demand DB checkpoint latency: a 4-replica cluster under continuous client load; each `cairn op dbCheckpoint
# create` is timed from the command being sent to every replica reporting the checkpoint (the CLI waits for all).
# Usage: bench/checkpoint-latency.sh [rounds] [clients]   (defaults: 5 16). Appends to $CAIRN_BENCH_OUT/checkpoint-latency.md.
# Environment: CAIRN_BENCH_OUT (default bench/results) also receives checkpoint-latency.json; CAIRN_BENCH_BASE_PORT
# (default 7960) is the cluster's base port.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-5} clients=${2:-16}
out=${CAIRN_BENCH_OUT:-bench/results} port=${CAIRN_BENCH_BASE_PORT:-7960}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cp-latency-XXXXXX")
trap '"$cairn" cluster down --dir "$work/c" >/dev/null 2>&1 || true; kill "${load_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build src/Cairn.Cli -c Release -v quiet -nologo >/dev/null
"$cairn" cluster init --dir "$work/c" --base-port "$port" >/dev/null
cluster_up "$work/c"
"$cairn" load --cluster "$work/c" --requests 100000000 --clients "$clients" --json >/dev/null 2>&1 &
load_pid=$!
sleep 3
times=()
for _ in $(seq 1 "$rounds"); do
  start=$(now)
  "$cairn" op dbCheckpoint create --cluster "$work/c" --json >/dev/null
  times+=("$(since "$start")")
done
mkdir -p "$out"
echo "{ \"clients\": $clients, \"seconds\": [$(IFS=,; echo "${times[*]}")] }" >"$out/checkpoint-latency.json"
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg):" \
    "\`bench/checkpoint-latency.sh $rounds $clients\`: seconds from 'op dbCheckpoint create' sent to all 4 replicas" \
    "reporting, under $clients-client load: ${times[*]}"
} | tee -a "$out/checkpoint-latency.md"
