namespace Cairn.Node.Configuration;

/// <summary>Which backup a replica takes: RocksDB checkpoints while it runs, or intermittent stop-and-copy. Never
/// both.</summary>
public enum BackupMode
{
    /// <summary>Online RocksDB checkpoints (the default), governed by the <c>db_checkpoint_*</c> keys.</summary>
    Checkpoint,

    /// <summary>The operator stops one replica at a time and copies its data (<c>cairn backup</c>).</summary>
    Intermittent,
}
