using Cairn.Backup;

namespace Cairn.Node.LocalCluster;

/// <summary>What <see cref="ReplicaMaintenance.BackupAsync"/> made.</summary>
/// <param name="Directory">The backup's directory (the copy, its checkpoint.json, chain extension and
/// manifest).</param>
/// <param name="Checkpoint">What the copy holds (its last block) and the certificate that covers it.</param>
/// <param name="ExtensionBlocks">How many blocks lead from the copy's last block to the certified one.</param>
/// <param name="Restarted">The replica was running, was stopped for the copy, and is running and healthy
/// again.</param>
public sealed record ReplicaBackup(
    int Replica,
    string Directory,
    CheckpointManifest Manifest,
    CheckpointMetadata Checkpoint,
    int ExtensionBlocks,
    bool Restarted
);
