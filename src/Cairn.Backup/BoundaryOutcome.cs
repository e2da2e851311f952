namespace Cairn.Backup;

/// <summary>What <see cref="DbCheckpointManager.OnBoundaryExecuted"/> did at a checkpoint boundary.</summary>
public enum BoundaryOutcome
{
    /// <summary><c>FEATURE_db_checkpoints</c> is off.</summary>
    Disabled,

    /// <summary>Neither the periodic policy nor an operator request asked for a checkpoint.</summary>
    NotDue,

    /// <summary>The RocksDB checkpoint was taken into <c>&lt;id&gt;.tmp</c>; it is finalised when the sequence number
    /// becomes stable.</summary>
    Taken,

    /// <summary>Due but skipped (see <see cref="DbCheckpointStatus.LastSkipReason"/>).</summary>
    Skipped,

    /// <summary>Due but RocksDB or the file system failed; logged and counted, nothing left behind.</summary>
    Failed,
}
