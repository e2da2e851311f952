namespace Cairn.Backup;

/// <summary>Adds up byte increments and reports them as <see cref="TransferProgress"/> of a known total.</summary>
internal sealed class ProgressCounter(IProgress<TransferProgress>? target, long total) : IProgress<long>
{
    private long _done;

    /// <summary>Bytes counted so far.</summary>
    public long Done => _done;

    public void Report(long value)
    {
        _done += value;
        target?.Report(new TransferProgress(Math.Min(_done, total), total));
    }
}
