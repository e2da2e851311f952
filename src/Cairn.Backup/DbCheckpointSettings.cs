namespace Cairn.Backup;

/// <summary>The DB checkpoint keys of a replica's config, with Concord's names (docs/design.md says what they are
/// for); numeric defaults and ranges come from <see cref="DbCheckpointKeys"/>.</summary>
public sealed record DbCheckpointSettings
{
    /// <summary><c>FEATURE_db_checkpoints</c>: checkpoint-based backup on or off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>db_checkpoint_duration</c>: seconds of consensus time that must pass since the last
    /// checkpoint.</summary>
    public long DurationSeconds { get; init; } = DbCheckpointKeys.DurationSeconds.Default;

    /// <summary><c>num_of_rocksdbcheckpoints</c>: how many checkpoints are kept; creating one more deletes the
    /// oldest.</summary>
    public int MaxCheckpoints { get; init; } = DbCheckpointKeys.MaxCheckpoints.Default;

    /// <summary><c>dbcheckpoint_window</c>: sequence numbers that must be executed since the last checkpoint.</summary>
    public long Window { get; init; } = DbCheckpointKeys.Window.Default;

    /// <summary><c>db_checkpoint_diskspace_threshold</c>: free space must stay at least this fraction of the RocksDB
    /// size.</summary>
    public double DiskSpaceThreshold { get; init; } = DbCheckpointKeys.DiskSpaceThreshold.Default;

    /// <summary><c>db_checkpoint_path</c>, resolved: absolute, or relative to <c>data_dir</c> in the file.</summary>
    public string Path { get; init; } = "rocksdbdata/checkpoints";
}
