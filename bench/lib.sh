# Shared by the bench/*.sh cluster benchmarks (sourced, not run): the CLI, config edits and timing.
# CAIRN_BENCH_CLI: another build of the CLI (a copy of its output directory), e.g. to compare before and after.
cairn=${CAIRN_BENCH_CLI:-src/Cairn.Cli/bin/Release/net10.0/cairn}
# CAIRN_BENCH_OP: the operator tool, cairn-op (bench/run-all.sh publishes it compiled to native code).
cairn_op=${CAIRN_BENCH_OP:-src/Cairn.OperatorTool/bin/Release/net10.0/cairn-op}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# set_key FILE KEY VALUE: sets 'KEY: VALUE' in a deployment.config, appending the line when the key is not there yet.
set_key() {
  if grep -q "^$2:" "$1"; then sed -i "s|^$2:.*|$2: $3|" "$1"; else echo "$2: $3" >>"$1"; fi
}

# set_key_all CLUSTER_DIR KEY VALUE: the same on every replica of a cluster.
set_key_all() {
  local config
  for config in "$1"/replica-*/deployment.config; do set_key "$config" "$2" "$3"; done
}

now() { date +%s.%N; }

# since START: seconds elapsed since a now() reading, with millisecond precision.
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }

# stop_replica CLUSTER_DIR N: SIGTERM to one replica started by 'cairn cluster up', then wait for it to exit.
stop_replica() {
  local pid
  pid=$(cat "$1/replica-$2/replica.pid")
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# json_field FILE NAME: the first numeric value of "NAME": in a JSON file.
json_field() { grep -oE "\"$2\": -?[0-9.eE+-]+" "$1" | head -1 | awk '{ print $2 }'; }

# cluster_up CLUSTER_DIR: 'cairn cluster up', tried up to 3 times, since a port of the cluster may be held for a
# moment by another program's outgoing connection (high base ports are in Linux's ephemeral range).
cluster_up() {
  local attempt
  for attempt in 1 2 3; do
    if "$cairn" cluster up --dir "$1" >/dev/null; then return 0; fi
    "$cairn" cluster down --dir "$1" >/dev/null 2>&1 || true
    echo "   cluster up failed (attempt $attempt); retrying" >&2
    sleep 5
  done
  return 1
}

# describe_machine: what the figures were measured on, for machine.txt.
describe_machine() {
  local tmp=${TMPDIR:-/tmp}
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit:  $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- bench src ':!bench/results' || echo ' (with uncommitted changes)')"
  echo "cpu:     $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory:  $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
  echo "disk:    $(df -PT "$tmp" | awk 'NR == 2 { print $1 " (" $2 ")" }'), rotational flag $(cat "/sys/block/$(basename "$(df -P "$tmp" | awk 'NR == 2 { print $1 }')")/queue/rotational" 2>/dev/null || echo '?')"
  echo "kernel:  $(uname -r)"
  echo "dotnet:  SDK $(dotnet --version)"
  echo "cli:     ${bench_cli_kind:-$cairn}"
  echo "op tool: ${bench_op_kind:-$cairn_op}"
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# cpu_seconds PID_FILE...: CPU time (user + system) the processes named in the pid files have used so far.
cpu_seconds() {
  local f
  for f in "$@"; do awk '{ print $14 + $15 }' "/proc/$(cat "$f")/stat"; done |
    awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.3f", s / hz }'
}

# max_rss_mb PID_FILE...: the largest resident set of the live processes named in the pid files, in MB.
max_rss_mb() {
  local f
  for f in "$@"; do ps -o rss= -p "$(cat "$f")" 2>/dev/null || true; done |
    awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }'
}

# replica_metric CLUSTER_DIR N NAME: the value of metric NAME on replica N of a cluster 'cairn cluster init' wrote.
replica_metric() {
  local metrics_port
  metrics_port=$(awk '/^metrics_port:/ { print $2 }' "$1/replica-$2/deployment.config")
  curl -sf "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$3" '$1 == n { printf "%.0f", $2 }'
}
