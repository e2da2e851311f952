using Cairn.Consensus;

namespace Cairn.Backup;

/// <summary>What a restore did.</summary>
/// <param name="Checkpoint">The checkpoint installed.</param>
/// <param name="Verification">The checks it passed before anything was changed.</param>
/// <param name="DatabaseDirectory">Where the restored database now is.</param>
/// <param name="OldDatabase">Where the previous database was moved (null when there was none).</param>
/// <param name="LinkedFiles">Files installed as hard links.</param>
/// <param name="CopiedFiles">Files copied (another file system, or files RocksDB rewrites).</param>
/// <param name="ConsensusMetadataReset">True when the checkpoint came from elsewhere and its consensus metadata was
/// removed.</param>
/// <param name="ConsensusRecordsKept">True when the consensus records of the replaced database (what this replica
/// signed) were carried into the restored one; false when they were lost, and the replica withholds its votes until
/// it has learned its peers' view and stable checkpoint.</param>
/// <param name="CheckpointsCarriedOver">Checkpoint directories moved from the old database into the restored
/// one.</param>
/// <param name="OldDatabasePendingDiscard">True when the replica will delete <paramref name="OldDatabase"/> once it has
/// started and caught up (<see cref="PendingDiscard"/>).</param>
/// <param name="GenerationStarted">The consensus generation the replica now runs in, when the restore started one
/// (<see cref="RestoreRequest.NewGenerationNonce"/>).</param>
public sealed record RestoreResult(
    CheckpointMetadata Checkpoint,
    CheckpointVerification Verification,
    string DatabaseDirectory,
    string? OldDatabase,
    int LinkedFiles,
    int CopiedFiles,
    bool ConsensusMetadataReset,
    int CheckpointsCarriedOver,
    bool OldDatabasePendingDiscard,
    bool ConsensusRecordsKept,
    ConsensusGeneration? GenerationStarted = null
);
