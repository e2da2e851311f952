#!/usr/bin/env bash
# Cluster benchmark: a 4-replica Cairn cluster (f = 1) against a 3-node etcd cluster, both on loopback on this machine,
# in one run. For each system, the same load generator at CLIENTS and 2 × CLIENTS concurrent clients (REQUESTS puts of
# VALUE_SIZE bytes each), with the CPU every process of the system spent on it (servers and load generator, utime +
# stime); for etcd also its own `etcdctl check perf --load=l`. Both clusters run side by side and the loads alternate
# between them, ROUNDS times (etcd, then Cairn, at each client count), so a change in what else loads this machine
# reaches both systems alike; each system and client count is reported by its round with the median CPU per put.
# Then Cairn alone: FAILOVER_REQUESTS puts of 16 KiB from FAILOVER_CLIENTS clients, the primary killed (SIGKILL) once a
# third of them executed: failed requests, and how long the cluster stopped serving. Writes $CAIRN_BENCH_OUT/cluster.md
# and the raw reports beside it.
# Usage: bench/cluster.sh [requests] [clients] [value-size] [failover-requests] [failover-clients]
#        (defaults: 10000 32 1024 2000 200)
# Environment: CAIRN_BENCH_OUT (default bench/results) receives cluster-{etcd,cairn}-{C}.json (load reports),
# cluster-cpu.json (of those rounds), cluster-rounds.json (every round), cluster-etcd-perf.json, cluster-failover.json
# (with its load report) and cluster-cairn-rss.json; CAIRN_BENCH_BASE_PORT (default 7900) is the Cairn cluster's base
# port; CAIRN_BENCH_ROUNDS (default 3) the rounds.
# Needs the Debian packages etcd-server and etcd-client (../shared/scripts/etcd-cluster.sh installs them on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
requests=${1:-10000} clients=${2:-32} value_size=${3:-1024}
failover_requests=${4:-2000} failover_clients=${5:-200} failover_value=16384
out=${CAIRN_BENCH_OUT:-bench/results} port=${CAIRN_BENCH_BASE_PORT:-7900} rounds=${CAIRN_BENCH_ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cluster-bench-XXXXXX")
etcd_script=${ETCD_SCRIPT:-../shared/scripts/etcd-cluster.sh}
endpoints=http://127.0.0.1:23701,http://127.0.0.1:23702,http://127.0.0.1:23703
cleanup() {
  "$cairn" cluster down --dir "$work/cairn" >/dev/null 2>&1 || true
  "$etcd_script" down "$work/etcd" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

echo "== build (Release)"
dotnet build src/Cairn.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/Cairn.PeerLoad -c Release -v quiet -nologo >/dev/null
peer_load=bench/Cairn.PeerLoad/bin/Release/net10.0/Cairn.PeerLoad.dll

# larger A B: the larger of two whole numbers.
larger() { echo $(($1 > $2 ? $1 : $2)); }

# timed NAME COMMAND...: runs COMMAND with its stdout in $work/NAME.json and its CPU seconds in $work/NAME.cpu.
timed() {
  local name=$1
  shift
  /usr/bin/time -f "%U %S" -o "$work/$name.time" "$@" >"$work/$name.json"
  awk '{ printf "%.3f", $1 + $2 }' "$work/$name.time" >"$work/$name.cpu"
}

# measured SYSTEM C ROUND PID_FILES COMMAND...: one load at C clients; its report is $work/SYSTEM-C-rROUND.json, and it
# prints "SYSTEM C ROUND servers_cpu_s load_cpu_s" for rounds.txt.
measured() {
  local system=$1 c=$2 round=$3 pid_files=$4 before after
  shift 4
  before=$(cpu_seconds $pid_files)
  timed "$system-$c-r$round" "$@"
  after=$(cpu_seconds $pid_files)
  echo "$system $c $round $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.3f", a - b }') $(cat "$work/$system-$c-r$round.cpu")"
}

: >"$work/rounds.txt"
echo "== etcd: 3 nodes; etcdctl check perf --load=l"
"$etcd_script" up "$work/etcd" >/dev/null
ETCDCTL_API=3 etcdctl --endpoints="${endpoints//http:\/\//}" check perf --load=l >"$work/etcd-perf.txt" 2>&1 || true
# It prints "PASS: Throughput is N writes/s" or, below its own bar for the load, "FAIL: Throughput too low: N writes/s".
writes=$(grep -oE '[0-9]+ writes/s' "$work/etcd-perf.txt" | awk '{ print $1 }' || true)
[ -n "$writes" ] || { echo "etcdctl check perf printed no throughput:" >&2; cat "$work/etcd-perf.txt" >&2; exit 1; }
{
  echo "{ \"writesPerSecond\": $writes,"
  echo "  \"output\": $(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/etcd-perf.txt") }"
} >"$out/cluster-etcd-perf.json"
etcd_pids=$(echo "$work"/etcd/e*.pid)

echo "== cairn: 4 replicas, beside etcd"
"$cairn" cluster init --dir "$work/cairn" --base-port "$port" >/dev/null
cluster_up "$work/cairn"
replica_pids=$(echo "$work"/cairn/replica-*/replica.pid)
# Warm-up: the replicas' hot code is compiled while they run (tiered compilation), and over the first 10,000-put load
# they cost about a fifth more CPU per put than over the next; etcd is warm from etcdctl check perf's minute of load.
"$cairn" load --cluster "$work/cairn" --requests "$requests" --clients $((2 * clients)) --value-size "$value_size" >/dev/null

echo "== $rounds rounds: $requests puts of $value_size B from $clients and $((2 * clients)) clients, etcd then cairn"
for round in $(seq "$rounds"); do
  for c in "$clients" $((2 * clients)); do
    measured etcd "$c" "$round" "$etcd_pids" dotnet "$peer_load" etcd "$endpoints" "$requests" "$c" "$value_size" \
      >>"$work/rounds.txt"
    measured cairn "$c" "$round" "$replica_pids" "$cairn" load --cluster "$work/cairn" --requests "$requests" \
      --clients "$c" --value-size "$value_size" --json >>"$work/rounds.txt"
  done
done
"$etcd_script" down "$work/etcd" >/dev/null
# Per system and client count, the round with the median CPU per put: its load report becomes cluster-SYSTEM-C.json and
# its CPU the entry of cluster-cpu.json (and of cpu-per-put.txt, for cluster.md); cluster-rounds.json keeps every round.
python3 - "$work" "$out" <<'PY'
import json, shutil, sys
work, out = sys.argv[1:]
rounds = []
for line in open(f"{work}/rounds.txt"):
    system, clients, round_, servers, load = line.split()
    report = json.load(open(f"{work}/{system}-{clients}-r{round_}.json"))
    rounds.append({"system": system, "clients": int(clients), "round": int(round_),
                   "serversCpuSeconds": float(servers), "loadCpuSeconds": float(load),
                   "putsPerSecond": report["throughputPerSecond"], "p99Ms": report["p99Ms"],
                   "cpuMsPerPut": (float(servers) + float(load)) * 1000 / report["completed"]})
json.dump(rounds, open(f"{out}/cluster-rounds.json", "w"), indent=2)
cpu, per_put = {}, []
for key in dict.fromkeys((r["system"], r["clients"]) for r in rounds):
    runs = sorted((r for r in rounds if (r["system"], r["clients"]) == key), key=lambda r: r["cpuMsPerPut"])
    median = runs[(len(runs) - 1) // 2]
    name = f"{key[0]}-{key[1]}"
    shutil.copy(f"{work}/{name}-r{median['round']}.json", f"{out}/cluster-{name}.json")
    cpu[name] = {"serversCpuSeconds": median["serversCpuSeconds"], "loadCpuSeconds": median["loadCpuSeconds"],
                 "round": median["round"]}
    per_put.append(f"{name} {median['cpuMsPerPut']}\n")
json.dump(cpu, open(f"{out}/cluster-cpu.json", "w"), indent=2)
open(f"{work}/cpu-per-put.txt", "w").writelines(per_put)
PY
rss_mb=$(max_rss_mb $replica_pids)

echo "== cairn: $failover_requests puts of 16 KiB from $failover_clients clients, the primary killed under them"
"$cairn" load --cluster "$work/cairn" --requests "$failover_requests" --clients "$failover_clients" \
  --value-size "$failover_value" --json >"$work/failover.json" &
load=$!
# executed: requests replica 1 executed (0 while its metrics do not answer).
executed() { local v; v=$(replica_metric "$work/cairn" 1 cairn_consensus_requests_executed || true); echo "${v:-0}"; }
executed_before=$(executed)
until [ "$(executed)" -ge $((executed_before + failover_requests / 3)) ]; do
  kill -0 "$load" 2>/dev/null || { echo "the load ended before a third of it executed" >&2; exit 1; }
  sleep 0.2
done
primary=$(($(replica_metric "$work/cairn" 1 cairn_consensus_view) % 4))
rss_mb=$(larger "$rss_mb" "$(max_rss_mb $replica_pids)")
killed_at=$(now)
kill -9 "$(cat "$work/cairn/replica-$primary/replica.pid")"
wait "$load" || true
survivors=$(for f in $replica_pids; do [ "$f" = "$work/cairn/replica-$primary/replica.pid" ] || echo "$f"; done)
rss_mb=$(larger "$rss_mb" "$(max_rss_mb $survivors)")
view_after=$(replica_metric "$work/cairn" $(((primary + 1) % 4)) cairn_consensus_view)
"$cairn" cluster down --dir "$work/cairn" >/dev/null
cp "$work/failover.json" "$out/cluster-failover-load.json"
python3 - "$work/failover.json" "$killed_at" "$primary" "$view_after" "$failover_value" >"$out/cluster-failover.json" <<'PY'
# How long the cluster stopped serving after the kill: from the kill to the first completion after the longest run
# of timeline intervals (250 ms) with none that starts after it (requests the primary had already committed may
# still complete right after the kill); 0 when no interval after the kill was empty, null when none completed after.
import datetime, json, sys
report, killed_at, primary, view_after, value = json.load(open(sys.argv[1])), float(sys.argv[2]), *map(int, sys.argv[3:])
started = datetime.datetime.fromisoformat(report["startedAt"]).timestamp()
step = report["timelineIntervalMs"] / 1000
timeline = report["timeline"]
first = max(0, int((killed_at - started) / step))
gaps, i = [], first
while i < len(timeline):
    if timeline[i] == 0:
        j = i
        while j < len(timeline) and timeline[j] == 0:
            j += 1
        gaps.append((j - i, i, j))
        i = j
    else:
        i += 1
if not gaps:
    stopped = 0.0
else:
    _, _, resumed = max(gaps)
    stopped = None if resumed == len(timeline) else max(0.0, started + resumed * step - killed_at)
print(json.dumps({"requests": report["requests"], "clients": report["clients"], "valueSize": value,
                  "completed": report["completed"], "failed": report["failed"], "killedPrimary": primary,
                  "viewAfter": view_after, "stoppedServingSeconds": stopped}, indent=2))
PY
echo "{ \"maxRssMb\": $rss_mb }" >"$out/cluster-cairn-rss.json"

row() {
  local file=$out/cluster-$1-$2.json cpu
  cpu=$(awk -v k="$1-$2" '$1 == k { printf "%.2f", $2 }' "$work/cpu-per-put.txt")
  printf '| %s | %s | %.0f | %.1f | %.1f | %.1f | %s |\n' "$1" "$2" "$(json_field "$file" throughputPerSecond)" \
    "$(json_field "$file" p50Ms)" "$(json_field "$file" p99Ms)" "$(json_field "$file" maxMs)" "$cpu"
}
{
  echo "# Cluster benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Command: \`bench/cluster.sh $requests $clients $value_size $failover_requests $failover_clients\`"
  echo
  echo "Each row: the round (of $rounds, loads alternating between the systems) with the median CPU per put."
  echo
  echo "| system | clients | puts/s | p50 ms | p99 ms | max ms | CPU ms per put (all processes) |"
  echo "|---|---|---|---|---|---|---|"
  for c in "$clients" $((2 * clients)); do row etcd "$c"; row cairn "$c"; done
  echo
  echo "etcdctl check perf --load=l: $writes writes/s. Largest Cairn replica RSS: ${rss_mb} MB."
  echo
  echo "Primary killed under $failover_requests puts of 16 KiB from $failover_clients clients: $(json_field "$out/cluster-failover.json" failed) failed, stopped serving for $(grep -oE '"stoppedServingSeconds": [^,]+' "$out/cluster-failover.json" | cut -d' ' -f2) s."
} | tee "$out/cluster.md"
