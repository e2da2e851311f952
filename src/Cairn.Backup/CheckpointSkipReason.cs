namespace Cairn.Backup;

/// <summary>Why a due DB checkpoint was not taken.</summary>
public enum CheckpointSkipReason
{
    /// <summary>The disk guard: free space on the checkpoint file system would drop under
    /// <c>db_checkpoint_diskspace_threshold</c> × the RocksDB size.</summary>
    LowDiskSpace,

    /// <summary>A checkpoint of this block id exists already (the boundary was executed again after a
    /// restart).</summary>
    AlreadyExists,
}
