namespace Cairn.Backup;

/// <summary>A reader's hold on a checkpoint (export, restore, state transfer): retention and the disk monitor do not
/// delete it until every pin on it is disposed.</summary>
public sealed class DbCheckpointPin : IDisposable
{
    private readonly Action _release;
    private int _released;

    internal DbCheckpointPin(DbCheckpointInfo checkpoint, Action release)
    {
        Checkpoint = checkpoint;
        _release = release;
    }

    /// <summary>The pinned checkpoint.</summary>
    public DbCheckpointInfo Checkpoint { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release();
        }
    }
}
