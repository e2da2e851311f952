namespace Cairn.Operator;

/// <summary>A replica's newest checkpoint as it answers <c>op snapshot</c>.</summary>
/// <param name="EstimatedKeys">RocksDB's estimate of the keys in the checkpoint's state (it varies a little between
/// replicas).</param>
public sealed record SnapshotCheckpoint(
    ulong Id,
    ulong SeqNum,
    ulong LastBlockId,
    string StateDigest,
    long Epoch,
    DateTimeOffset CreatedAt,
    long EstimatedKeys
);
