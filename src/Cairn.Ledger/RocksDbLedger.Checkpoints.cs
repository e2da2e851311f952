using RocksDbSharp;

namespace Cairn.Ledger;

public sealed partial class RocksDbLedger
{
    /// <summary>Up to this much write-ahead log is copied into a checkpoint rather than flushed first.</summary>
    private const ulong WalCopyLimit = 8 * 1024 * 1024;

    /// <summary>
    /// Most write-ahead log the ledger keeps before RocksDB flushes the memtables that hold the oldest log file. A
    /// column family written little (the head and consensus records) otherwise keeps every log since its last flush
    /// alive, up to RocksDB's default of gigabytes; opening the ledger, or a checkpoint of it, replays them all, and
    /// finalising a checkpoint opens it (docs/benchmarks-history.md, "Write-ahead log bound").
    /// </summary>
    private const ulong MaxWalBytes = 32 * 1024 * 1024;

    /// <summary>
    /// The write-ahead log size at which this ledger flushes: <see cref="MaxWalBytes"/>, plus up to as much again by
    /// <see cref="LedgerOptions.FlushStagger"/>. Replicas execute the same blocks, so with one limit all of them would
    /// flush at the same block, each taking tens of milliseconds of a core then; staggered, the replicas that are not
    /// flushing still make a quorum (docs/benchmarks-history.md, "Replicas that do not flush together").
    /// </summary>
    internal static ulong WalFlushBytes(double flushStagger)
    {
        if (!(flushStagger >= 0 && flushStagger < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(flushStagger), flushStagger, "accepted: 0 up to but not 1");
        }

        return MaxWalBytes + (ulong)(MaxWalBytes * flushStagger);
    }

    /// <summary>
    /// Takes a RocksDB checkpoint of the ledger into <paramref name="directory"/>, which must not exist: hard links to
    /// the immutable SST files plus copies of the small mutable files, taken while the ledger keeps accepting appends.
    /// The checkpoint holds exactly the blocks appended before this call started.
    /// </summary>
    /// <returns>The head the checkpoint holds.</returns>
    /// <exception cref="CheckpointTargetExistsException">When <paramref name="directory"/> exists; nothing is
    /// written.</exception>
    /// <exception cref="LedgerException">When RocksDB cannot write the checkpoint (missing parent, full disk,
    /// permissions).</exception>
    public LedgerHead CreateCheckpoint(string directory)
    {
        ThrowIfReadOnly();
        directory = System.IO.Path.GetFullPath(directory);
        if (Directory.Exists(directory) || File.Exists(directory))
        {
            throw new CheckpointTargetExistsException(directory);
        }

        // Appends wait for the checkpoint call so the head we report is the head it holds. It stays short because
        // RocksDB flushes the memtables first only when the write-ahead log is over WalCopyLimit (a flush took 60-80 ms
        // on a busy ledger, see docs/benchmarks-history.md); below it, it links the SST files and copies the log,
        // replayed when opened.
        lock (_appendLock)
        {
            try
            {
                using var checkpoint = _db.Checkpoint();
                checkpoint.Save(directory, logSizeForFlush: WalCopyLimit);
            }
            catch (RocksDbException e)
            {
                throw new LedgerException(directory, $"RocksDB could not write the checkpoint ({OneLine(e.Message)})");
            }

            return _head;
        }
    }

    /// <summary>Writes every column family's memtable to SST files and waits: a checkpoint taken after it links all the
    /// data instead of copying the write-ahead log (RocksDbSharp's own Flush covers only the default family).</summary>
    public void Flush() => FlushFamilies(wait: true);

    /// <summary>Starts writing every column family's memtable to SST files in the background and returns: a checkpoint
    /// taken shortly after finds less write-ahead log to flush while appends wait for it.</summary>
    /// <exception cref="LedgerException">When RocksDB refuses to start the flush.</exception>
    public void BeginFlush() => FlushFamilies(wait: false);

    private void FlushFamilies(bool wait)
    {
        ThrowIfReadOnly();
        var options = new FlushOptions().SetWaitForFlush(wait);
        try
        {
            foreach (var family in new[] { _blocks, _state, _metadata })
            {
                Native.Instance.rocksdb_flush_cf(_db.Handle, options.Handle, family.Handle);
            }
        }
        catch (RocksDbException e)
        {
            throw new LedgerException(Location, $"RocksDB could not flush ({OneLine(e.Message)})");
        }
    }
}
