#!/usr/bin/env bash
# The full fault campaign on real replica processes (every scenario of tests/Cairn.FaultTests, CAIRN_FAULTS=1), then
# docs/reliability.md: one table row per scenario run, written by the scenarios themselves (CAIRN_FAULTS_REPORT).
# Usage: tests/Cairn.FaultTests/run-campaign.sh [--seed N] [--no-build] [--rerun TEST]
#   --seed N     replay: every scenario uses seed N (otherwise each draws one; the report lists them)
#   --rerun TEST run one test again (its full name, e.g. Cairn.FaultTests.Scenarios.NetworkFaultTests.Isolating_a_backup_leaves_the_others_serving)
#                and print its report; docs/reliability.md is written only by a whole campaign, at the commit it names
#   CAIRN_TEST_PORT_OFFSET shifts the ports (8100-8135 and 8200-8203) as for the integration tests.
set -uo pipefail
cd "$(dirname "$0")/../.."

build=1
rerun=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) export CAIRN_FAULTS_SEED="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --rerun) rerun="$2"; shift 2 ;;
    *) echo "unknown argument: $1 (accepted: --seed N, --no-build, --rerun TEST)" >&2; exit 2 ;;
  esac
done

# The report names the commit it ran at: the code must be that commit, with nothing uncommitted.
if [ -z "$rerun" ] && [ -n "$(git status --porcelain -- src tests)" ]; then
  echo "src/ or tests/ has uncommitted changes: commit them first, so that the report names the code it ran" >&2; exit 2
fi

export CAIRN_FAULTS=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "$build" -eq 1 ]; then
  dotnet build tests/Cairn.FaultTests -c Release >/dev/null || { echo "build failed: run 'dotnet build tests/Cairn.FaultTests -c Release'" >&2; exit 1; }
fi

rows=$(mktemp); log=$(mktemp); trap 'rm -f "$rows" "$log"' EXIT
export CAIRN_FAULTS_REPORT="$rows"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
seconds=$SECONDS
filter=()
[ -n "$rerun" ] && filter=(-method "$rerun")
tests/Cairn.FaultTests/bin/Release/net10.0/Cairn.FaultTests -parallel none -diagnostics "${filter[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E 'Total: [0-9]+' "$log" | tail -1 | sed -E 's/\x1b\[[0-9;]*m//g; s/^[^A-Za-z]*//')

if [ -n "$rerun" ]; then
  cat "$rows"
  exit "$status"
fi

{
  echo "# Reliability: the fault campaign"
  echo
  echo "Produced by \`tests/Cairn.FaultTests/run-campaign.sh\` (do not edit by hand; rerun it). Each scenario starts a"
  echo "real 4-replica cluster (f = 1) of \`cairn replica\` processes on loopback, every replica-to-replica and"
  echo "client-to-replica connection through a fault proxy, and runs client sessions of puts and gets while the faults"
  echo "happen (6 sessions on 8 keys; 200 sessions on 200 keys writing 16 KB values where the scenario names them). After the faults: heal, the cluster must serve 20 more operations, the load stops, an on-demand"
  echo "checkpoint carries every replica to the next checkpoint boundary, all replicas must reach one last-block digest"
  echo "there, the history must be linearizable (per-key register model) and every checkpoint on disk must verify"
  echo "(\`cairn checkpoint verify\`'s checks, quorum certificate included). How to read and replay it:"
  echo "[operator guide, fault campaign](operator-guide.md#fault-campaign)."
  echo
  echo "- run: $started, $(( (SECONDS - seconds) / 60 )) min, commit $(git rev-parse --short HEAD), $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- seeds: ${CAIRN_FAULTS_SEED:-drawn per scenario (column \"seed\"; replay with --seed N)}"
  echo "- test run: ${summary:-no summary (the run did not finish)}"
  echo
  echo "| scenario | seed | operations | ok | failed | unknown | longest unavailability | checker | replicas converged on | checkpoints verified | result |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$rows"
  echo
  echo "*ok*: f+1 matching replies (2f+1 for a get), each on its replica's pinned TLS connection. *failed*: refused by the cluster (e.g. while wedged), so certainly without"
  echo "effect. *unknown*: no answer within the client's 5 s timeout; the checker lets it take effect at any later time or"
  echo "never. *longest unavailability*: the longest stretch of the run in which no operation succeeded."
} > docs/reliability.md

echo "wrote docs/reliability.md ($(wc -l < "$rows") scenarios)"
exit "$status"
