#!/usr/bin/env bash
# On-demand DB checkpoint latency vs database size: one 4-replica cluster is filled with 256 KiB puts to each size in
# turn (smallest first); at each size the operator tool's `cairn-op dbCheckpoint create` is timed ROUNDS times on the
# idle cluster and ROUNDS times under continuous load from CLIENTS clients, each from the command being started until
# it returns (it returns once 2f+1 replicas list the checkpoint as finalised). Next to it, from every replica's log: when the
# boundary's RocksDB checkpoint was taken and how long the RocksDB call took (event 2010), and when the checkpoint was
# finalised and how long finalisation took (event 2013).
# Usage: bench/checkpoint-latency.sh OUT_DIR [sizes-mib] [rounds] [clients] [base-port]   (defaults: 2048,10240 5 16 7960)
# Writes OUT_DIR/checkpoint-latency.json, again after each size (a run stopped during a long fill keeps the sizes
# it measured). Environment: CAIRN_BENCH_OP, the operator tool (bench/lib.sh); CAIRN_BENCH_BEFORE_CLI, a build of the
# full CLI: each round then also times its `cairn op dbCheckpoint create`, alternating with the operator tool on the
# same cluster (before/after figures in the same conditions).
set -euo pipefail
# EPOCHREALTIME (below) uses the locale's decimal separator; awk reads a point.
export LC_ALL=C
cd "$(dirname "$0")/.."
source bench/lib.sh
out=$1 sizes=${2:-2048,10240} rounds=${3:-5} clients=${4:-16} port=${5:-7960}
before=${CAIRN_BENCH_BEFORE_CLI:-}
value_size=262144
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cp-latency-XXXXXX")
# On any exit: stop the load and the cluster (a replica that outlives 'cluster down' is killed by its pid file, so
# none keeps the ports or writes into the removed directory), then remove everything.
cleanup() {
  local pid_file
  # Never 'kill 0' (an empty pid): that signals this script's whole process group, the cleanup included.
  if [ -n "${load_pid:-}" ]; then kill "$load_pid" 2>/dev/null || true; fi
  "$cairn" cluster down --dir "$work/c" >/dev/null 2>&1 || true
  for pid_file in "$work"/c/replica-*/replica.pid; do
    [ -f "$pid_file" ] && kill -9 "$(cat "$pid_file")" 2>/dev/null || true
  done
  rm -rf "$work" 2>/dev/null || { sleep 2; rm -rf "$work"; }
}
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$out"
c=$work/c
"$cairn" cluster init --dir "$c" --base-port "$port" >/dev/null
set_key_all "$c" max_request_size $((value_size + 4096))
cluster_up "$c"

# du fails when RocksDB deletes a file it is reading (compaction): its total is still the figure, printed once.
db_mib() { { du -sbm --exclude=checkpoints "$c/replica-0/data/rocksdbdata" 2>/dev/null || true; } | awk '{ m = $1 } END { print m + 0 }'; }
epoch_of() { date -d "$1" +%s.%N; }

# log_times SEQ EVENT: per replica, "<epoch seconds> <milliseconds>" of the line of EVENT (2010 or 2013) for the
# checkpoint at SEQ; one line per replica that logged it.
log_times() {
  local r line
  for r in 0 1 2 3; do
    if [ "$2" = 2010 ]; then
      line=$(grep -F "[2010] DB checkpoint taken at seq $1 " "$c/replica-$r/replica.log" | tail -1 || true)
    else
      line=$(grep -F "[2013] DB checkpoint $1 complete: seq $1," "$c/replica-$r/replica.log" | tail -1 || true)
    fi
    [ -n "$line" ] || continue
    echo "$(epoch_of "$(cut -d' ' -f1 <<<"$line")") $(grep -oE '[0-9.]+ ms' <<<"$line" | tail -1 | cut -d' ' -f1)"
  done
}

# one_round COMMAND...: times one 'COMMAND dbCheckpoint create' ('cairn-op' or 'cairn op') and prints its JSON record.
one_round() {
  local start end output target ordered taken finalised
  # Times from bash's own clock: a process per reading (date, awk) for each line of the command's output made the
  # command look up to half a second slower on a loaded machine, by the time it took to read its table.
  start=$EPOCHREALTIME
  # Each output line with the time it arrived: 'ordered:' is printed once the order has f+1 replies.
  output=$("$@" dbCheckpoint create --cluster "$c" | while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done)
  end=$EPOCHREALTIME
  target=$(grep -m1 'ordered:' <<<"$output" | grep -oE 'at seq [0-9]+' | awk '{ print $3 }')
  ordered=$(grep -m1 'ordered:' <<<"$output" | awk -v s="$start" '{ printf "%.3f", $1 - s }')
  # Finalisation is logged just after the CLI can see it: give the slowest replica a moment to write its line.
  sleep 0.5
  taken=$(log_times "$target" 2010 | sort -n | paste -sd';')
  finalised=$(log_times "$target" 2013 | sort -n | paste -sd';')
  awk -v s="$start" -v e="$end" -v seq="$target" -v ordered="$ordered" -v taken="$taken" -v fin="$finalised" \
    -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
      nt = split(taken, t, ";"); nf = split(fin, f, ";")
      for (i = 1; i <= nt; i++) { split(t[i], p, " "); if (p[2] > rocks) rocks = p[2] }
      for (i = 1; i <= nf; i++) { split(f[i], p, " "); if (p[2] > final) final = p[2] }
      split(t[1], first, " "); split(f[nf >= 3 ? 3 : nf], third, " ")
      printf "{ \"seconds\": %.3f, \"seq\": %d, \"orderedSeconds\": %.3f, \"boundaryTakenSeconds\": %.3f, \"quorumFinalisedSeconds\": %.3f, ", e - s, seq, ordered, first[1] - s, third[1] - s
      printf "\"rocksDbCheckpointMs\": %.1f, \"finaliseMs\": %.1f, \"replicasFinalised\": %d, \"load\": %s }", rocks, final, nf, load
    }'
}

# rounds_json LABEL: ROUNDS rounds with the operator tool (and the before CLI, alternating, when given) as JSON
# members.
rounds_json() {
  local i after=() old=()
  for i in $(seq 1 "$rounds"); do
    if [ -n "$before" ]; then old+=("$(one_round "$before" op)"); fi
    after+=("$(one_round "$cairn_op")")
    echo "   $1 round $i: $(grep -oE '"seconds": [0-9.]+' <<<"${after[-1]}")${before:+ (before: $(grep -oE '"seconds": [0-9.]+' <<<"${old[-1]}"))}" >&2
  done
  echo "\"$1\": [$(IFS=,; echo "${after[*]}")]"
  if [ -n "$before" ]; then echo ", \"${1}Before\": [$(IFS=,; echo "${old[*]}")]"; fi
}

points=()
write_json() {
  cat >"$out/checkpoint-latency.json" <<JSON
{
  "clients": $clients,
  "rounds": $rounds,
  "valueSize": $value_size,
  "command": "$(basename "$cairn_op") dbCheckpoint create",
  "before": "${before:+$before op dbCheckpoint create}",
  "points": [
    $(IFS=,; echo "${points[*]}")
  ]
}
JSON
}
IFS=, read -ra size_list <<<"$sizes"
for size in "${size_list[@]}"; do
  echo "== fill: puts of $value_size B until replica 0's database holds $size MiB" >&2
  fill_start=$(now)
  while [ "$(db_mib)" -lt "$size" ]; do
    # Few clients: a batch of many large requests made view changes under a busy machine's delays.
    "$cairn" load --cluster "$c" --requests 128 --clients 4 --value-size "$value_size" --json >/dev/null
  done
  fill_s=$(since "$fill_start")
  mib=$(db_mib)
  echo "   $mib MiB in $fill_s s; settling" >&2
  sync
  sleep 5
  idle=$(rounds_json idle)
  # In a session of its own, as an application's clients are: with the kernel's per-session CPU groups
  # (sched_autogroup) the load would otherwise share this script's group, and so the CPU share, with the operator's
  # command being timed (docs/benchmarks-history.md, "The operator's command and the load in one CPU group").
  setsid "$cairn" load --cluster "$c" --requests 100000000 --clients "$clients" --json >/dev/null 2>&1 &
  load_pid=$!
  sleep 3
  loaded=$(rounds_json load)
  kill "$load_pid" 2>/dev/null || true
  wait "$load_pid" 2>/dev/null || true
  load_pid=
  points+=("{ \"sizeMiB\": $mib, \"fillSeconds\": $fill_s, $idle, $loaded }")
  write_json
done

cat "$out/checkpoint-latency.json"
