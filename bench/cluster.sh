#!/usr/bin/env bash
# Cluster benchmark: a 4-replica Cairn cluster (f = 1) against a 3-node etcd cluster, both on loopback on this machine,
# driven with the same request count, value size and concurrency, in one run. Writes $CAIRN_BENCH_OUT/cluster.md.
# Usage: bench/cluster.sh [requests] [clients] [value-size]     (defaults: 20000 32 1024)
# Environment: CAIRN_BENCH_OUT (default bench/results) also receives the raw reports, cluster-etcd.json,
# cluster-cairn.json and cluster-cairn-rss.json; CAIRN_BENCH_BASE_PORT (default 7900) is the Cairn cluster's base port.
# Needs the Debian packages etcd-server and etcd-client (../shared/scripts/etcd-cluster.sh installs them on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
requests=${1:-20000} clients=${2:-32} value_size=${3:-1024}
out=${CAIRN_BENCH_OUT:-bench/results} port=${CAIRN_BENCH_BASE_PORT:-7900}
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-cluster-bench-XXXXXX")
etcd_script=${ETCD_SCRIPT:-../shared/scripts/etcd-cluster.sh}
cleanup() {
  "$cairn" cluster down --dir "$work/cairn" >/dev/null 2>&1 || true
  "$etcd_script" down "$work/etcd" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build (Release)"
dotnet build src/Cairn.Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/Cairn.PeerLoad -c Release -v quiet -nologo >/dev/null

echo "== etcd: 3 nodes, $requests puts of $value_size B from $clients clients"
"$etcd_script" up "$work/etcd" >/dev/null
dotnet bench/Cairn.PeerLoad/bin/Release/net10.0/Cairn.PeerLoad.dll etcd \
  http://127.0.0.1:23701,http://127.0.0.1:23702,http://127.0.0.1:23703 "$requests" "$clients" "$value_size" >"$work/etcd.json"
"$etcd_script" down "$work/etcd" >/dev/null

echo "== cairn: 4 replicas, same load"
"$cairn" cluster init --dir "$work/cairn" --base-port "$port" >/dev/null
cluster_up "$work/cairn"
"$cairn" load --cluster "$work/cairn" --requests "$requests" --clients "$clients" --value-size "$value_size" --json >"$work/cairn.json"
rss_mb=$(for f in "$work"/cairn/replica-*/replica.pid; do ps -o rss= -p "$(cat "$f")"; done | awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }')
"$cairn" cluster down --dir "$work/cairn" >/dev/null

mkdir -p "$out"
cp "$work/etcd.json" "$out/cluster-etcd.json"
cp "$work/cairn.json" "$out/cluster-cairn.json"
echo "{ \"maxRssMb\": $rss_mb }" >"$out/cluster-cairn-rss.json"
row() { printf '| %s | %.0f | %.1f | %.1f | %.1f | %.1f |\n' "$1" "$(json_field "$2" throughputPerSecond)" "$(json_field "$2" p50Ms)" "$(json_field "$2" p95Ms)" "$(json_field "$2" p99Ms)" "$(json_field "$2" maxMs)"; }
{
  echo "# Cluster benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "Command: \`bench/cluster.sh $requests $clients $value_size\` ($requests puts of $value_size B, $clients concurrent clients)"
  echo
  echo "| system | puts/s | p50 ms | p95 ms | p99 ms | max ms |"
  echo "|---|---|---|---|---|---|"
  row "etcd, 3 nodes (JSON gateway)" "$work/etcd.json"
  row "Cairn, 4 replicas (f = 1)" "$work/cairn.json"
  echo
  echo "Largest Cairn replica RSS at the end of the load: ${rss_mb} MB."
} | tee "$out/cluster.md"
