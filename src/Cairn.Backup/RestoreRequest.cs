using Cairn.Core;

namespace Cairn.Backup;

/// <summary>What <see cref="ReplicaRestore"/> needs to know about the stopped replica and the checkpoint to
/// install.</summary>
public sealed record RestoreRequest
{
    /// <summary>The replica's <c>data_dir</c>; staging and the set-aside database live next to the database in
    /// it.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The replica's RocksDB directory (<c>&lt;data_dir&gt;/rocksdbdata</c>).</summary>
    public required string DatabaseDirectory { get; init; }

    /// <summary>The replica's checkpoint directory (resolved <c>db_checkpoint_path</c>); when it lies inside the
    /// database
    /// directory it is carried over into the restored one, so no checkpoint is lost.</summary>
    public required string CheckpointsDirectory { get; init; }

    /// <summary>The checkpoint to install: a checkpoint directory or an exported archive.</summary>
    public required string Source { get; init; }

    /// <summary>The replicas' public keys, to check the checkpoint's certificate.</summary>
    public required ReplicaPublicKeys Keys { get; init; }

    /// <summary>The replica's chain: a checkpoint of another chain is refused.</summary>
    public required string ChainId { get; init; }

    /// <summary>Delete the set-aside database once the restored replica has started and caught up to its peers' stable
    /// checkpoint (recorded in <see cref="PendingDiscard"/>; the replica host deletes it).</summary>
    public bool DiscardOld { get; init; }

    /// <summary>
    /// Set when every replica of the cluster is restored from this checkpoint (disaster recovery): the nonce of the new
    /// consensus generation they all start, from the checkpoint's certified seq and digest. The replaced database's
    /// consensus records are then not kept, none of the checkpoint's stay, and its checkpoints are not carried over
    /// (they stay in the set-aside database): the new generation starts at the checkpoint (docs/consensus.md,
    /// "Restoring every replica").
    /// </summary>
    public Digest? NewGenerationNonce { get; init; }

    /// <summary>Clock for the set-aside directory's name.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
