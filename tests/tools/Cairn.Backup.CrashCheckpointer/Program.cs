// Appends blocks and takes a DB checkpoint at every boundary (every 5 seqs, made stable at once, 2 kept) until it is
// killed, for the DB checkpoint crash tests: whatever instant the kill lands on (mid-checkpoint, mid-metadata,
// mid-rename, mid-retention), the next start must list only complete, verifying checkpoints.
// Usage: Cairn.Backup.CrashCheckpointer <root dir>   (ledger in <root>/rocksdbdata, checkpoints in <root>/checkpoints)
// Prints one line per boundary: its sequence number and how many complete checkpoints the manager lists, so the test
// can kill it at a random instant after there is something to check, however slow the machine.
using System.Globalization;
using Cairn.Backup;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

const string ChainId = "crash-backup";
var root = args[0];
var keys = Enumerable
    .Range(0, 4)
    .Select(i =>
    {
        var seed = new byte[32];
        seed[0] = (byte)(i + 1);
        return SigningKey.FromSeed(seed);
    })
    .ToArray();

using var ledger = RocksDbLedger.Open(Path.Combine(root, "rocksdbdata"), new LedgerOptions(ChainId));
using var metrics = new BackupMetrics();
var settings = new DbCheckpointSettings
{
    DurationSeconds = 1,
    Window = 5,
    MaxCheckpoints = 2,
    Path = Path.Combine(root, "checkpoints"),
};
await using var manager = new DbCheckpointManager(
    settings,
    ledger,
    ChainId,
    FileSystemFreeSpace.Instance,
    TimeProvider.System,
    NullLogger.Instance,
    metrics
);
manager.Recover();
var payload = new byte[4096];
for (var n = ledger.Head.LastSeqNum.Value + 1; ; n++)
{
    Random.Shared.NextBytes(payload);
    var text = n.ToString(CultureInfo.InvariantCulture);
    ledger.Append(
        new BlockProposal(
            new SeqNum(n),
            DateTimeOffset.UnixEpoch.AddSeconds(10 * n),
            [
                StateWrite.Put(
                    System.Text.Encoding.ASCII.GetBytes("k" + (n % 50).ToString(CultureInfo.InvariantCulture)),
                    [.. payload]
                ),
                StateWrite.Put("last"u8.ToArray(), System.Text.Encoding.ASCII.GetBytes(text)),
            ]
        )
    );
    if (n % 5 != 0)
    {
        continue;
    }

    var seq = new SeqNum(n);
    manager.TakeAtBoundary(seq, DateTimeOffset.UnixEpoch.AddSeconds(10 * n), epoch: 0, ordered: true);
    var digest = ledger.Head.LastDigest;
    manager.OnStable(
        seq,
        new StableCheckpointCertificate(
            seq,
            digest,
            [
                .. Enumerable
                    .Range(0, 3)
                    .Select(i => new ReplicaSignature(
                        new ReplicaId(i),
                        keys[i].Sign(new CheckpointMessage(seq, digest, new ReplicaId(i)).SigningBytes())
                    )),
            ]
        )
    );
    Console.WriteLine($"{text} {manager.List().Count}");
}
