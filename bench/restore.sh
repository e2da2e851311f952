#!/usr/bin/env bash
# Restore, export, verify and catch-up of a DB checkpoint of about SIZE_MIB MiB, taken on a real 4-replica cluster, each
# against a plain tool on the same files in the same run: restore (same file system, hard links) timed whole; export
# (tar.gz with a SHA-256 manifest) against 'tar | zstd'; verify of the archive and of the directory against
# 'sha256sum' of every file; then the restored replica's catch-up by state transfer, in blocks/s. Writes restore.json.
# Usage: bench/restore.sh OUT_DIR [size-mib] [requests-after] [base-port]   (defaults: 1024 3000 7940)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
out=$1 size_mib=${2:-1024} after=${3:-3000} port=${4:-7940}
value_size=262144
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-restore-bench-XXXXXX")
trap '"$cairn" cluster down --dir "$work/c" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$out"
c=$work/c

"$cairn" cluster init --dir "$c" --base-port "$port" >/dev/null
set_key_all "$c" max_request_size $((value_size + 4096))
cluster_up "$c"
# A put costs more on disk than its value (the block, the state, the consensus log), and a checkpoint holds less than
# the live database (no write-ahead log beyond what it needs), so fill and take checkpoints until one holds the size
# asked for.
echo "== load: puts of $value_size B until a checkpoint of replica 0 holds $size_mib MiB"
db_mib() { du -sbm --exclude=checkpoints "$c/replica-0/data/rocksdbdata" | awk '{ print $1 }'; }
fill_mib=$size_mib
while :; do
  while [ "$(db_mib)" -lt "$fill_mib" ]; do
    "$cairn" load --cluster "$c" --requests 32 --clients 8 --value-size "$value_size" --json >/dev/null
  done
  id=$("$cairn" op dbCheckpoint create --cluster "$c" --json | grep -oE '"id": [0-9]+' | head -1 | awk '{ print $2 }')
  checkpoint=$c/replica-0/data/rocksdbdata/checkpoints/$id
  # The command returns once 2f + 1 replicas finalised it: replica 0 (measured) and 3 (restored) may still be at it.
  for r in 0 3; do
    while [ ! -f "$c/replica-$r/data/rocksdbdata/checkpoints/$id/checkpoint.json" ]; do sleep 0.2; done
  done
  bytes=$(du -sbL "$checkpoint" | awk '{ print $1 }')
  [ "$bytes" -ge $((size_mib * 1048576)) ] && break
  fill_mib=$(($(db_mib) + size_mib - bytes / 1048576 + 16))
done
files=$(find "$checkpoint" -type f | wc -l)
echo "== checkpoint $id: $bytes bytes in $files files"

echo "== export and verify against tar | zstd and sha256sum"
sync
start=$(now); "$cairn" checkpoint export --replica 0 --cluster "$c" --id "$id" --to "$work/export.tar.gz" --json >/dev/null; export_s=$(since "$start")
start=$(now); tar -cf - -C "$checkpoint" . | zstd -q -o "$work/plain.tar.zst"; tar_zstd_s=$(since "$start")
start=$(now); "$cairn" checkpoint verify "$work/export.tar.gz" --cluster "$c" --json >/dev/null; verify_archive_s=$(since "$start")
start=$(now); "$cairn" checkpoint verify "$checkpoint" --cluster "$c" --json >/dev/null; verify_dir_s=$(since "$start")
start=$(now); find "$checkpoint" -type f -print0 | xargs -0 sha256sum >/dev/null; sha256_s=$(since "$start")
archive_bytes=$(stat -c %s "$work/export.tar.gz") zstd_bytes=$(stat -c %s "$work/plain.tar.zst")
rm -f "$work/export.tar.gz" "$work/plain.tar.zst"

echo "== $after more puts, then restore replica 3 from checkpoint $id"
"$cairn" load --cluster "$c" --requests "$after" --clients 32 --json >/dev/null
# End on a checkpoint boundary that becomes stable: state transfer then reaches the peers' head with no further
# traffic (an idle cluster's blocks above its last stable checkpoint arrive only with the next one).
"$cairn" op dbCheckpoint create --cluster "$c" --json >/dev/null
stop_replica "$c" 3
start=$(now); "$cairn" restore --replica 3 --cluster "$c" --checkpoint "$id" --json >"$work/restore.json"; restore_s=$(since "$start")

echo "== catch-up of replica 3"
status() { "$cairn" cluster status --dir "$c" --json; }
# Replica 3's last block, 0 while it does not answer.
last3() { status | grep -oE '"replica": [0-9]+|"lastBlockId": [0-9]+' | awk '/replica/ { r = $2 } /lastBlockId/ && r == 3 { b = $2 } END { print b + 0 }'; }
target=$(status | grep -oE '"lastBlockId": [0-9]+' | head -1 | awk '{ print $2 }')
start=$(now)
cluster_up "$c"
started_s=$(since "$start")
healthy_block=$(last3)
until [ "$(last3)" -ge "$target" ]; do
  if awk -v s="$(since "$start")" 'BEGIN { exit !(s > 600) }'; then echo "replica 3 did not catch up in 600 s" >&2; exit 1; fi
  sleep 0.2
done
catchup_s=$(since "$start")
blocks=$((target - id))
echo "   $blocks blocks in $catchup_s s (process healthy after $started_s s, at block $healthy_block)"
# State transfer alone, from the replica's log: from noticing it is behind (event 1022) to the last blocks installed (1023).
log=$c/replica-3/replica.log
epoch_of() { date -d "$1" +%s.%N; }
st_from=$(grep -m1 -F '[1022]' "$log" | cut -d' ' -f1 || true)
st_to=$(grep -F '[1023]' "$log" | tail -1 | cut -d' ' -f1 || true)
st_blocks=$( (grep -F '[1023]' "$log" || true) | (grep -oE 'installed [0-9]+' || true) | awk '{ s += $2 } END { print s + 0 }')
st_seconds=0
if [ -n "$st_from" ] && [ -n "$st_to" ]; then
  st_seconds=$(awk -v a="$(epoch_of "$st_from")" -v b="$(epoch_of "$st_to")" 'BEGIN { printf "%.3f", b - a }')
fi
echo "   state transfer: $st_blocks blocks in $st_seconds s"

cat >"$out/restore.json" <<JSON
{
  "checkpointId": $id,
  "checkpointBytes": $bytes,
  "checkpointFiles": $files,
  "restoreSeconds": $restore_s,
  "exportSeconds": $export_s,
  "exportArchiveBytes": $archive_bytes,
  "tarZstdSeconds": $tar_zstd_s,
  "tarZstdBytes": $zstd_bytes,
  "verifyArchiveSeconds": $verify_archive_s,
  "verifyDirectorySeconds": $verify_dir_s,
  "sha256sumSeconds": $sha256_s,
  "catchUpBlocks": $blocks,
  "catchUpSeconds": $catchup_s,
  "catchUpBlocksAfterHealthy": $((target - healthy_block)),
  "replicaHealthySeconds": $started_s,
  "stateTransferBlocks": $st_blocks,
  "stateTransferSeconds": $st_seconds
}
JSON
cat "$out/restore.json"
