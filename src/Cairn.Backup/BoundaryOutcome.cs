namespace Cairn.Backup;

/// <summary>What <see cref="DbCheckpointManager.TakeAtBoundary"/> did at a boundary where a checkpoint was
/// decided.</summary>
public enum BoundaryOutcome
{
    /// <summary><c>FEATURE_db_checkpoints</c> is off.</summary>
    Disabled,

    /// <summary>The RocksDB checkpoint was taken into <c>&lt;id&gt;.tmp</c>; it is finalised when the sequence number
    /// becomes stable.</summary>
    Taken,

    /// <summary>Skipped (see <see cref="DbCheckpointStatus.LastSkipReason"/>).</summary>
    Skipped,

    /// <summary>RocksDB or the file system failed; logged and counted, nothing left behind.</summary>
    Failed,
}
