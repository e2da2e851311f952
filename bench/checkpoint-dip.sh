#!/usr/bin/env bash
# Client throughput of a 4-replica cluster with a DB checkpoint every second against none, in one run: for each round,
# the same load on a fresh cluster with FEATURE_db_checkpoints false, then on one that checkpoints at every stable
# boundary at least 1 s after the last (db_checkpoint_duration 1, dbcheckpoint_window 1). Both use a consensus
# checkpoint window of 20, so stable boundaries come more than once a second under load. Writes per round
# dip-<mode>-<round>.json (the 'cairn load' report, with throughput per 250 ms) and, for the checkpointing cluster,
# dip-every-second-<round>-checkpoints.json (replica 0's checkpoints, with their creation times).
# Usage: bench/checkpoint-dip.sh OUT_DIR [requests] [clients] [rounds] [base-port]   (defaults: 8000 32 2 7920)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
out=$1 requests=${2:-8000} clients=${3:-32} rounds=${4:-2} port=${5:-7920}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-dip-XXXXXX")
trap '"$cairn" cluster down --dir "$work/c" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$out"

for round in $(seq 1 "$rounds"); do
  for mode in none every-second; do
    rm -rf "$work/c"
    "$cairn" cluster init --dir "$work/c" --base-port "$port" >/dev/null
    set_key_all "$work/c" checkpoint_window_size 20
    if [ "$mode" = none ]; then
      set_key_all "$work/c" FEATURE_db_checkpoints false
    else
      set_key_all "$work/c" db_checkpoint_duration 1
      set_key_all "$work/c" dbcheckpoint_window 1
      set_key_all "$work/c" num_of_rocksdbcheckpoints 100
    fi
    cluster_up "$work/c"
    "$cairn" load --cluster "$work/c" --requests 500 --clients "$clients" --json >/dev/null # warm-up
    echo "== round $round, checkpoints: $mode, $requests puts from $clients clients"
    "$cairn" load --cluster "$work/c" --requests "$requests" --clients "$clients" --json >"$out/dip-$mode-$round.json"
    echo "   $(json_field "$out/dip-$mode-$round.json" throughputPerSecond) puts/s"
    if [ "$mode" = every-second ]; then
      "$cairn" checkpoint list --data-dir "$work/c/replica-0/data" --json >"$out/dip-$mode-$round-checkpoints.json"
    fi
    "$cairn" cluster down --dir "$work/c" >/dev/null
  done
done
