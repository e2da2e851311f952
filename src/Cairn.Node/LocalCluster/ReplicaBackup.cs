using Cairn.Backup;
using Cairn.Ledger;

namespace Cairn.Node.LocalCluster;

/// <summary>What <see cref="ReplicaMaintenance.BackupAsync"/> made.</summary>
/// <param name="Directory">The backup's directory (the copy and its manifest).</param>
/// <param name="Head">The last block the copy holds.</param>
/// <param name="ChainId">The chain the copied database belongs to.</param>
/// <param name="Restarted">The replica was running, was stopped for the copy, and is running and healthy
/// again.</param>
public sealed record ReplicaBackup(
    int Replica,
    string Directory,
    CheckpointManifest Manifest,
    LedgerHead Head,
    string ChainId,
    bool Restarted
);
