using Cairn.Core;

namespace Cairn.Backup;

/// <summary>
/// The numeric DB checkpoint keys of a replica's <c>deployment.config</c> (Concord's names and defaults): each default
/// and accepted range, written here once. <see cref="DbCheckpointSettings"/>, the config loader and <c>cluster init</c>
/// take them from here, and docs/configuration.md quotes them (a test compares).
/// </summary>
public static class DbCheckpointKeys
{
    /// <summary><c>db_checkpoint_duration</c>: seconds of consensus time that must pass since the last
    /// checkpoint.</summary>
    public static readonly Setting<long> DurationSeconds = new(21600, 1, long.MaxValue / 2);

    /// <summary><c>num_of_rocksdbcheckpoints</c>: how many complete checkpoints are kept.</summary>
    public static readonly Setting<int> MaxCheckpoints = new(2, 1, 100);

    /// <summary><c>dbcheckpoint_window</c>: sequence numbers that must be executed since the last checkpoint.</summary>
    public static readonly Setting<long> Window = new(30000, 1, long.MaxValue / 2);

    /// <summary><c>db_checkpoint_diskspace_threshold</c>: free space must stay at least this fraction of the RocksDB
    /// size.</summary>
    public static readonly Setting<double> DiskSpaceThreshold = new(0.5, 0, 1, MinExclusive: true);
}
