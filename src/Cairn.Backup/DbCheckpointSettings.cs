namespace Cairn.Backup;

/// <summary>
/// The DB checkpoint keys of a replica's config, with Concord's names and defaults (docs/configuration.md lists them with
/// their ranges; docs/design.md says what they are for).
/// </summary>
public sealed record DbCheckpointSettings
{
    /// <summary><c>FEATURE_db_checkpoints</c>: checkpoint-based backup on or off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>db_checkpoint_duration</c>: seconds of consensus time that must pass since the last checkpoint.</summary>
    public long DurationSeconds { get; init; } = 21600;

    /// <summary><c>num_of_rocksdbcheckpoints</c>: how many checkpoints are kept; creating one more deletes the oldest.</summary>
    public int MaxCheckpoints { get; init; } = 2;

    /// <summary><c>dbcheckpoint_window</c>: sequence numbers that must be executed since the last checkpoint.</summary>
    public long Window { get; init; } = 30000;

    /// <summary><c>db_checkpoint_diskspace_threshold</c>: free space must stay at least this fraction of the RocksDB size.</summary>
    public double DiskSpaceThreshold { get; init; } = 0.5;

    /// <summary><c>db_checkpoint_path</c>, resolved: absolute, or relative to <c>data_dir</c> in the file.</summary>
    public string Path { get; init; } = "rocksdbdata/checkpoints";
}
