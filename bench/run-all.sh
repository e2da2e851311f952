#!/usr/bin/env bash
# Runs every benchmark of the checkpoint, restore and cluster issues in one go and writes the report from the results:
#   ledger block append (BenchmarkDotNet), checkpoint creation vs raw RocksDB and cp -a at 0.1/1/10 GiB, checkpoint
#   finalisation at 0.5/2 GiB (now vs the full-state hash it replaced), throughput
#   with a checkpoint every second vs none, on-demand checkpoint latency at 2 and 10 GiB (idle and under load),
#   restore/export/verify/catch-up of a 1 GiB checkpoint, Cairn vs etcd (32 and 64 clients, CPU per put, etcdctl check
#   perf) and the primary killed under 16 KiB puts from 200 clients.
# Full run: raw results replace bench/results/, the report replaces docs/benchmarks.md and its plots docs/benchmarks/.
# Needs about 50 GB free under the temp directory (a cluster of 4 replicas of 10 GiB each; one at a time) and about
# two hours (filling that cluster through consensus is most of it).
# Usage: bench/run-all.sh [--quick]
#   --quick: small sizes and short loads (a smoke check in about 10 minutes); results and report go to a temp directory,
#            the committed report is left alone.
# Environment: CAIRN_BENCH_BASE_PORT (default 7900): the clusters use base ports from there up to base + 80 (+ 100
# for metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
quick=false
case "${1:-}" in
  "") ;;
  --quick) quick=true ;;
  *) echo "usage: bench/run-all.sh [--quick]" >&2; exit 2 ;;
esac
port=${CAIRN_BENCH_BASE_PORT:-7900}
command="bench/run-all.sh${1:+ $1}"

if $quick; then
  sizes=50,100 repeats=3 copy_repeats=1 finalise_sizes=64,128
  dip=(1500 32 1) restore=(64 300) cluster=(2000 32 1024 300 50) latency=(32,64 2 16)
  bdn=(--filter '*LedgerAppendBenchmarks*' --job dry --buildTimeout 600)
  work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-quick-XXXXXX")
  results=$work/results report=$work/benchmarks.md plots=$work/benchmarks
else
  sizes=100,1024,10240 repeats=10 copy_repeats=3 finalise_sizes=512,2048
  dip=(4000 32 2) restore=(1024 2000) cluster=(10000 32 1024 2000 200) latency=(2048,10240 5 16)
  bdn=(--filter '*LedgerAppendBenchmarks*' --buildTimeout 600)
  results=bench/results report=docs/benchmarks.md plots=docs/benchmarks
  free_kb=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 { print $4 }')
  if [ "$free_kb" -lt $((50 * 1024 * 1024)) ]; then
    echo "only $((free_kb / 1024)) MiB free on ${TMPDIR:-/tmp}; the full run needs about 50 GB" >&2
    exit 1
  fi
fi

echo "== build (Release, warnings as errors)"
for project in src/Cairn.Cli src/Cairn.OperatorTool bench/Cairn.Benchmarks bench/Cairn.PeerLoad bench/Cairn.BenchReport; do
  dotnet build "$project" -c Release -warnaserror -v quiet -nologo >/dev/null
done
# The cluster benchmarks run the CLI an operator installs (README: the published single file, ReadyToRun), for the
# replicas and every command: a command's time on a busy host is mostly its own CPU, which ReadyToRun halves.
# CAIRN_BENCH_CLI, when set, is used instead (bench/lib.sh).
if [ -z "${CAIRN_BENCH_CLI:-}" ]; then
  published=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-cli-XXXXXX")
  trap 'rm -rf "$published"' EXIT
  dotnet publish src/Cairn.Cli -c Release -r linux-x64 -warnaserror -v quiet -nologo -o "$published" >/dev/null
  export CAIRN_BENCH_CLI=$published/cairn
  cairn=$CAIRN_BENCH_CLI bench_cli_kind="published single file, ReadyToRun (dotnet publish src/Cairn.Cli -r linux-x64)"
fi
# The operator tool as an operator installs it: compiled to native code (dotnet publish src/Cairn.OperatorTool).
if [ -z "${CAIRN_BENCH_OP:-}" ]; then
  published_op=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-op-XXXXXX")
  trap 'rm -rf "${published:-}" "$published_op"' EXIT
  dotnet publish src/Cairn.OperatorTool -c Release -r linux-x64 -warnaserror -v quiet -nologo -o "$published_op" >/dev/null
  export CAIRN_BENCH_OP=$published_op/cairn-op
  cairn_op=$CAIRN_BENCH_OP bench_op_kind="published native (dotnet publish src/Cairn.OperatorTool -r linux-x64)"
fi

rm -rf "$results"
mkdir -p "$results"
describe_machine >"$results/machine.txt"
started=$(now)

echo "== ledger append (BenchmarkDotNet)"
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-artifacts-XXXXXX")
dotnet bench/Cairn.Benchmarks/bin/Release/net10.0/Cairn.Benchmarks.dll "${bdn[@]}" --exporters github --artifacts "$artifacts" >"$results/ledger-append.log"
cp "$artifacts"/results/*-report-github.md "$results/"
rm -rf "$artifacts"

echo "== checkpoint creation vs raw RocksDB and cp -a at $sizes MiB"
dotnet bench/Cairn.Benchmarks/bin/Release/net10.0/Cairn.Benchmarks.dll checkpoint-sizes "$results/checkpoint-sizes.json" "$sizes" "$repeats" "$copy_repeats"

echo "== checkpoint finalisation vs database size at $finalise_sizes MiB"
dotnet bench/Cairn.Benchmarks/bin/Release/net10.0/Cairn.Benchmarks.dll finalise-sizes "$results/finalise-sizes.json" "$finalise_sizes" 5

echo "== throughput with a checkpoint every second vs none"
bench/checkpoint-dip.sh "$results" "${dip[@]}" "$port"

echo "== on-demand checkpoint latency vs database size"
bench/checkpoint-latency.sh "$results" "${latency[@]}" $((port + 20))

echo "== restore, export, verify, catch-up"
bench/restore.sh "$results" "${restore[@]}" $((port + 40))

echo "== Cairn vs etcd"
CAIRN_BENCH_OUT=$results CAIRN_BENCH_BASE_PORT=$((port + 60)) bench/cluster.sh "${cluster[@]}"

echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg) ($(since "$started") s)" >>"$results/machine.txt"
echo "== report"
dotnet bench/Cairn.BenchReport/bin/Release/net10.0/Cairn.BenchReport.dll "$results" "$report" "$plots" "$command"
echo "== report in $report, plots in $plots, raw results in $results"
