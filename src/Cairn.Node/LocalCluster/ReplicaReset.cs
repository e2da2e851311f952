using Cairn.Backup;
using Cairn.Ledger;

namespace Cairn.Node.LocalCluster;

/// <summary>One replica of a cluster restore: where its database was before, and what the restore did.</summary>
/// <param name="Replica">The replica's id.</param>
/// <param name="PreviousHead">Its database's head before the restore; null when it had none or it did not open (lost
/// data).</param>
/// <param name="Restore">The single-replica restore it went through.</param>
public sealed record ReplicaReset(int Replica, LedgerHead? PreviousHead, RestoreResult Restore)
{
    /// <summary>True when its database had executed past the checkpoint: those blocks are not part of the new
    /// generation, and stay in the set-aside database (<see cref="RestoreResult.OldDatabase"/>).</summary>
    public bool WasAhead => PreviousHead is { } head && head.LastSeqNum > Restore.Checkpoint.SeqNum;
}
