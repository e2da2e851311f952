using Cairn.Backup;
using Cairn.Consensus;

namespace Cairn.Node.LocalCluster;

/// <summary>What <c>cairn cluster restore</c> did (<see cref="ReplicaMaintenance.RestoreCluster"/>).</summary>
/// <param name="Checkpoint">The checkpoint every replica now starts from.</param>
/// <param name="Verification">The checks it passed before any replica was changed.</param>
/// <param name="Generation">The new consensus generation every replica runs in.</param>
/// <param name="Replicas">Each replica, in the order restored.</param>
public sealed record ClusterRestoreResult(
    CheckpointMetadata Checkpoint,
    CheckpointVerification Verification,
    ConsensusGeneration Generation,
    IReadOnlyList<ReplicaReset> Replicas
);
