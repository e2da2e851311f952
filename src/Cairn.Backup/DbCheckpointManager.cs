using System.Globalization;
using System.Threading.Channels;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Microsoft.Extensions.Logging;

namespace Cairn.Backup;

/// <summary>
/// A replica's DB checkpoints (docs/architecture.md, "Data flow of a DB checkpoint"): at a boundary at which the
/// replicated state decided a checkpoint (<see cref="CheckpointPolicy.Decide"/>, applied by the executor), checks the
/// disk guard and takes the RocksDB checkpoint into <c>&lt;id&gt;.tmp</c> right after the boundary block is appended;
/// finalises it when the boundary becomes stable (verify, digest, <c>checkpoint.json</c> with the certificate, fsync,
/// rename: the commit point); keeps at most <c>num_of_rocksdbcheckpoints</c>, never deleting a pinned one.
/// </summary>
/// <remarks>
/// <see cref="TakeAtBoundary"/> and <see cref="OnStable"/> are called from the consensus thread and return quickly:
/// the checkpoint call only links files, and everything heavy (verification, digests, fsync, sizes, deletions) runs on
/// one background worker, in order.
/// <see cref="List"/>, <see cref="Pin"/> and <see cref="Status"/> may be called from any thread.
/// </remarks>
public sealed partial class DbCheckpointManager : IDisposable, IAsyncDisposable
{
    private const string TmpSuffix = DbCheckpointDirectory.TmpSuffix;
    private const string DeletingSuffix = DbCheckpointDirectory.DeletingSuffix;

    private readonly DbCheckpointSettings _settings;
    private readonly RocksDbLedger _ledger;
    private readonly string _chainId;
    private readonly IFreeSpace _freeSpace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BackupMetrics _metrics;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly Task _worker;
    private readonly Lock _gate = new();

    // Guarded by _gate. Every checkpoint not yet deleted, oldest first (by sequence number); its state says where it
    // is in its life (DbCheckpointLifecycle).
    private readonly List<TrackedDbCheckpoint> _checkpoints = [];
    private readonly Dictionary<BlockId, int> _pins = [];
    private volatile bool _stopping;
    private CheckpointSkipReason? _lastSkipReason;
    private DateTimeOffset? _lastSkipAt;
    private long _skips;
    private long _failures;
    private string? _lastFailure;

    // Consensus thread only. The mark a periodic checkpoint was last prepared after: one flush per mark
    // (PrepareForBoundary).
    private CheckpointMark? _preparedAfter;

    public DbCheckpointManager(
        DbCheckpointSettings settings,
        RocksDbLedger ledger,
        string chainId,
        IFreeSpace freeSpace,
        TimeProvider time,
        ILogger logger,
        BackupMetrics metrics
    )
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        _settings = settings;
        _ledger = ledger;
        _chainId = chainId;
        _freeSpace = freeSpace ?? throw new ArgumentNullException(nameof(freeSpace));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        Directory = Path.GetFullPath(settings.Path);
        _worker = Task.Run(RunWorkerAsync);
    }

    /// <summary>The checkpoint directory (<c>db_checkpoint_path</c>, resolved).</summary>
    public string Directory { get; }

    /// <summary>The settings it runs with; the executor decides with the same policy values.</summary>
    public DbCheckpointSettings Settings => _settings;

    /// <summary>
    /// At start, before the first boundary: deletes interrupted checkpoints (<c>*.tmp</c>, <c>*.deleting</c>, and
    /// id-named directories without <c>checkpoint.json</c>, none of which was ever committed), lists the good ones
    /// (a valid <c>checkpoint.json</c> of this chain whose id matches the directory; others are logged and never
    /// listed) and applies retention.
    /// </summary>
    /// <exception cref="DbCheckpointException">When the checkpoint directory cannot be created or written
    /// (<c>db_checkpoint_path</c> is a file, read-only, …).</exception>
    public void Recover()
    {
        if (!_settings.Enabled)
        {
            BackupLog.Disabled(_logger);
            if (System.IO.Directory.Exists(Directory))
            {
                ListGood(deleteInterrupted: false);
            }

            return;
        }

        EnsureWritableDirectory();
        ListGood(deleteInterrupted: true);
        ApplyRetention();
        DbCheckpointInfo? newest;
        lock (_gate)
        {
            newest = NewestCompleteLocked();
        }

        var count = List().Count;
        var newestId = newest is null ? "none" : newest.Id.ToString();
        BackupLog.Recovered(_logger, Directory, count, newestId, newest?.SeqNum.Value ?? 0);
        Enqueue(UpdateInventory);
    }

    /// <summary>
    /// Call right after the block of a boundary at which the replicated state decided a checkpoint is appended
    /// (executed or installed by state transfer), before the next block. When the disk guard allows it, takes the
    /// RocksDB checkpoint (hard links, milliseconds) into <c>&lt;id&gt;.tmp</c>; it becomes a checkpoint when
    /// <see cref="OnStable"/> brings the certificate. Never throws for I/O: a failure is logged, counted and cleaned
    /// up, and the next checkpoint still comes where every other replica takes it.
    /// </summary>
    /// <param name="consensusTime">The block's timestamp (the primary's time agreed in PRE-PREPARE), never the local
    /// clock.</param>
    /// <param name="epoch">The epoch the boundary block was executed in (recorded in <c>checkpoint.json</c>).</param>
    /// <param name="ordered">An operator ordered it (for the log); else the periodic policy decided it.</param>
    public BoundaryOutcome TakeAtBoundary(SeqNum seq, DateTimeOffset consensusTime, ulong epoch, bool ordered)
    {
        if (!_settings.Enabled)
        {
            return BoundaryOutcome.Disabled;
        }

        var head = _ledger.Head;
        if (head.LastSeqNum != seq)
        {
            return Fail(
                seq,
                "take",
                $"the ledger's last block is at seq {head.LastSeqNum}, not the boundary {seq}: "
                    + "a checkpoint is taken right after the boundary block is appended",
                tmp: null
            );
        }

        var final = CheckpointDirectory(head.LastBlockId);
        lock (_gate)
        {
            if (System.IO.Directory.Exists(final) || _checkpoints.Any(c => c.InFlight && c.Seq == seq))
            {
                return Skip(seq, CheckpointSkipReason.AlreadyExists, $"checkpoint {head.LastBlockId} exists");
            }
        }

        string? lowSpace;
        try
        {
            lowSpace = CheckDiskGuard();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(seq, "guard", $"cannot measure the database or the free space ({e.Message})", tmp: null);
        }

        if (lowSpace is not null)
        {
            return Skip(seq, CheckpointSkipReason.LowDiskSpace, lowSpace);
        }

        var tmp = final + TmpSuffix;
        var started = _time.GetTimestamp();
        LedgerHead taken;
        try
        {
            System.IO.Directory.CreateDirectory(Directory); // an operator may have removed it while we ran
            DeleteDirectory(tmp);
            taken = _ledger.CreateCheckpoint(tmp);
        }
        catch (Exception e) when (e is LedgerException or IOException or UnauthorizedAccessException)
        {
            return Fail(seq, "take", e.Message, tmp);
        }

        var elapsed = _time.GetElapsedTime(started);
        if (taken.LastSeqNum != seq)
        {
            return Fail(seq, "take", $"the checkpoint holds seq {taken.LastSeqNum}, not {seq}", tmp);
        }

        lock (_gate)
        {
            var tracked = TrackedDbCheckpoint.Taken(seq, taken, consensusTime, epoch, tmp, final);
            var at = _checkpoints.FindIndex(c => c.Seq > seq);
            _checkpoints.Insert(at < 0 ? _checkpoints.Count : at, tracked);
        }

        _metrics.CreateDuration(elapsed);
        BackupLog.Taken(
            _logger,
            seq.Value,
            taken.LastBlockId.Value,
            ordered ? "operator request" : "periodic",
            elapsed.TotalMilliseconds
        );
        return BoundaryOutcome.Taken;
    }

    /// <summary>
    /// Call when an operator checkpoint was ordered for the next boundary: starts flushing the memtables in the
    /// background, so that the RocksDB call at the boundary, which appends wait for, finds little write-ahead log left
    /// to flush (under load it flushed for 160-430 ms: docs/benchmarks-history.md, "Finalisation that does not grow
    /// with the database"). A flush that cannot start is logged; the checkpoint then flushes as before.
    /// </summary>
    public void PrepareForOrdered()
    {
        if (!_settings.Enabled)
        {
            return;
        }

        BeginFlush();
    }

    /// <summary>
    /// Call at each boundary with the next one and the consensus time it is expected at (this window's pace): when the
    /// periodic policy would decide a checkpoint there, starts flushing the memtables in the background, once per
    /// checkpoint mark, as for an ordered one. Below the flush limit the RocksDB call copies the write-ahead log
    /// written since the last flush, up to 8 MiB, while appends wait (docs/benchmarks-history.md, "Periodic
    /// checkpoints prepared a window ahead"); after the flush, only what the window wrote. A guess, not a decision: a
    /// wrong one costs one early flush, or leaves the call as it was.
    /// </summary>
    /// <returns>True when this call started the flush.</returns>
    public bool PrepareForBoundary(CheckpointMark last, SeqNum next, DateTimeOffset expectedTime)
    {
        if (
            !_settings.Enabled
            || _preparedAfter == last
            || !CheckpointPolicy.IsDue(_settings, last, next, expectedTime)
        )
        {
            return false;
        }

        _preparedAfter = last;
        BackupLog.Prepared(_logger, next.Value);
        BeginFlush();
        return true;
    }

    private void BeginFlush()
    {
        try
        {
            _ledger.BeginFlush();
        }
        catch (LedgerException e)
        {
            BackupLog.HousekeepingFailed(_logger, e.Message);
        }
    }

    /// <summary>
    /// Call when <paramref name="seq"/> becomes stable, with its certificate. Queues the finalisation of the checkpoint
    /// taken at <paramref name="seq"/> (verify, state digest, <c>checkpoint.json</c>, fsync, rename, retention) on the
    /// background worker; checkpoints taken at earlier boundaries that never became stable are discarded.
    /// </summary>
    /// <returns>True when a checkpoint of <paramref name="seq"/> was queued for finalisation.</returns>
    public bool OnStable(SeqNum seq, StableCheckpointCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.Seq != seq)
        {
            throw new ArgumentException(
                $"the certificate is for seq {certificate.Seq}, not {seq}",
                nameof(certificate)
            );
        }

        if (!_settings.Enabled)
        {
            return false;
        }

        TrackedDbCheckpoint? target = null;
        var discarded = new List<TrackedDbCheckpoint>();
        lock (_gate)
        {
            foreach (var pending in _checkpoints.Where(c => c.State == DbCheckpointState.Taken && c.Seq <= seq))
            {
                if (pending.Seq == seq)
                {
                    pending.MoveTo(DbCheckpointState.Finalising);
                    target = pending;
                }
                else
                {
                    pending.MoveTo(DbCheckpointState.Deleted);
                    discarded.Add(pending);
                }
            }

            _checkpoints.RemoveAll(c => c.State == DbCheckpointState.Deleted);
        }

        foreach (var pending in discarded)
        {
            BackupLog.Discarded(_logger, pending.Seq.Value, seq.Value);
            Enqueue(() => DeleteDirectory(pending.TmpDirectory!));
        }

        if (target is null)
        {
            return false;
        }

        Enqueue(() =>
        {
            if (!_stopping)
            {
                Finalise(target, certificate);
            }
        });
        return true;
    }

    /// <summary>The good checkpoints, oldest first (by sequence number, never by directory order).</summary>
    public IReadOnlyList<DbCheckpointInfo> List()
    {
        lock (_gate)
        {
            return CompleteLocked();
        }
    }

    /// <summary>Pins checkpoint <paramref name="id"/> for a reader; it is not deleted until the pin is
    /// disposed.</summary>
    /// <exception cref="DbCheckpointException">When there is no good checkpoint <paramref name="id"/>.</exception>
    public DbCheckpointPin Pin(BlockId id)
    {
        lock (_gate)
        {
            var good = CompleteLocked();
            var info =
                good.Find(c => c.Id == id)
                ?? throw new DbCheckpointException(
                    CheckpointDirectory(id),
                    $"no such checkpoint (have: "
                        + $"{(good.Count == 0 ? "none" : string.Join(", ", good.Select(c => c.Id)))})"
                );
            _pins[id] = _pins.GetValueOrDefault(id) + 1;
            return new DbCheckpointPin(info, () => Release(id));
        }
    }

    /// <summary>Count, newest checkpoint and its age, the last skip and failure.</summary>
    public DbCheckpointStatus Status
    {
        get
        {
            lock (_gate)
            {
                var newest = NewestCompleteLocked();
                return new DbCheckpointStatus(
                    _settings.Enabled,
                    _checkpoints.Count(c => c.IsComplete),
                    newest?.Id,
                    newest?.SeqNum,
                    newest is null ? null : _time.GetUtcNow() - newest.Metadata.CreatedAt,
                    _lastSkipReason,
                    _lastSkipAt,
                    _skips,
                    _failures,
                    _lastFailure,
                    [.. _checkpoints.Where(c => c.InFlight).Select(c => new DbCheckpointInFlight(c.Seq, c.State))]
                );
            }
        }
    }

    /// <summary>Completes when every piece of background work queued so far (finalisations, deletions) is
    /// done.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(() => done.TrySetResult()))
        {
            return Task.CompletedTask;
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the worker: the finalisation under way completes, those still queued are abandoned (shutdown
    /// does not wait for digests of a large database) and left as <c>*.tmp</c>, which the next <see cref="Recover"/>
    /// deletes (that replica then has no checkpoint at that boundary; the next ones still line up with its
    /// peers').</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _work.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping = true;
        _work.Writer.TryComplete();
        _worker.GetAwaiter().GetResult();
    }

    private string CheckpointDirectory(BlockId id) =>
        Path.Combine(Directory, id.Value.ToString(CultureInfo.InvariantCulture));

    private void Enqueue(Action work) => _work.Writer.TryWrite(work);

    private async Task RunWorkerAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                work();
            }
#pragma warning disable CA1031 // the worker outlives any one piece of housekeeping; the failure is logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                BackupLog.HousekeepingFailed(_logger, e.Message);
            }
        }
    }

    private BoundaryOutcome Skip(SeqNum seq, CheckpointSkipReason reason, string detail)
    {
        lock (_gate)
        {
            _lastSkipReason = reason;
            _lastSkipAt = _time.GetUtcNow();
            _skips++;
        }

        _metrics.Skipped(reason);
        BackupLog.Skipped(_logger, seq.Value, reason, detail);
        return BoundaryOutcome.Skipped;
    }

    /// <param name="tracked">The checkpoint that failed to finalise, which leaves the table; null when the failure
    /// came before it was taken.</param>
    private BoundaryOutcome Fail(
        SeqNum seq,
        string stage,
        string problem,
        string? tmp,
        TrackedDbCheckpoint? tracked = null
    )
    {
        if (tmp is not null)
        {
            TryDeleteDirectory(tmp);
        }

        lock (_gate)
        {
            _failures++;
            _lastFailure = $"seq {seq}: {problem}";
            if (tracked is not null)
            {
                tracked.MoveTo(DbCheckpointState.Deleted);
                _checkpoints.Remove(tracked);
            }
        }

        _metrics.Failed(stage);
        BackupLog.Failed(_logger, seq.Value, problem);
        return BoundaryOutcome.Failed;
    }

    /// <summary>The complete checkpoints, oldest first.</summary>
    private List<DbCheckpointInfo> CompleteLocked() => [.. _checkpoints.Where(c => c.IsComplete).Select(c => c.Info!)];

    private DbCheckpointInfo? NewestCompleteLocked() => _checkpoints.LastOrDefault(c => c.IsComplete)?.Info;

    /// <summary>The tracked checkpoint <paramref name="id"/> when it is in <paramref name="state"/>.</summary>
    private TrackedDbCheckpoint? FindLocked(BlockId id, DbCheckpointState state) =>
        _checkpoints.Find(c => c.Id == id && c.State == state);

    /// <summary>
    /// The disk guard: null when a checkpoint may be taken, else why not. A checkpoint on the database's file system
    /// links the SST files and copies the rest; on another file system it copies everything.
    /// </summary>
    private string? CheckDiskGuard()
    {
        long dbBytes = 0,
            copiedBytes = 0;
        foreach (var file in new DirectoryInfo(_ledger.Location).EnumerateFiles())
        {
            try
            {
                dbBytes += file.Length;
                if (!file.Name.EndsWith(".sst", StringComparison.Ordinal))
                {
                    copiedBytes += file.Length;
                }
            }
            catch (FileNotFoundException)
            {
                // Deleted by compaction while we listed.
            }
        }

        if (!SameFileSystem(_ledger.Location, Directory))
        {
            copiedBytes = dbBytes;
        }

        var free = _freeSpace.AvailableBytes(Directory);
        var floor = (long)(_settings.DiskSpaceThreshold * dbBytes);
        return free - copiedBytes < floor
            ? $"{free} bytes free on {Directory}, the checkpoint needs about {copiedBytes}, and at least {floor} must "
                + $"stay free "
                + $"(db_checkpoint_diskspace_threshold "
                + $"{_settings.DiskSpaceThreshold.ToString(CultureInfo.InvariantCulture)} × {dbBytes} bytes of "
                + $"RocksDB)"
            : null;
    }

    private static bool SameFileSystem(string a, string b)
    {
        try
        {
            return PosixFiles.Identify(a).Device == PosixFiles.Identify(b).Device;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void EnsureWritableDirectory()
    {
        if (File.Exists(Directory))
        {
            throw new DbCheckpointException(
                Directory,
                "db_checkpoint_path is a file; it must be a directory (or not exist yet)"
            );
        }

        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            // Marks this as a live replica's checkpoint directory: readers pin what they read here (CheckpointSource).
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, DbCheckpointFilePin.DirectoryName));
            var probe = Path.Combine(Directory, $".probe-{Environment.ProcessId}{TmpSuffix}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DbCheckpointException(Directory, $"db_checkpoint_path is not a writable directory ({e.Message})");
        }
    }

    private void ListGood(bool deleteInterrupted)
    {
        var good = new List<DbCheckpointInfo>();
        foreach (var entry in DbCheckpointDirectory.Scan(Directory, _chainId))
        {
            switch (entry.Kind)
            {
                case DbCheckpointEntryKind.Complete:
                    good.Add(new DbCheckpointInfo(entry.Directory, entry.Metadata!));
                    break;
                case DbCheckpointEntryKind.Interrupted when deleteInterrupted:
                    BackupLog.DeletedInterrupted(_logger, entry.Directory);
                    TryDeleteDirectory(entry.Directory);
                    break;
                case DbCheckpointEntryKind.Unreadable:
                    // Kept for the operator to look at, never trusted.
                    BackupLog.Unlisted(_logger, entry.Directory, entry.Problem!);
                    break;
                default:
                    break; // interrupted but kept (checkpoints off), or an operator's directory: left alone
            }
        }

        lock (_gate)
        {
            _checkpoints.RemoveAll(c => c.IsComplete);
            _checkpoints.AddRange(good.Select(TrackedDbCheckpoint.Recovered));
            _checkpoints.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        }
    }

    private void Release(BlockId id)
    {
        bool retiring;
        lock (_gate)
        {
            var count = _pins.GetValueOrDefault(id) - 1;
            if (count > 0)
            {
                _pins[id] = count;
            }
            else
            {
                _pins.Remove(id);
            }

            retiring = count <= 0 && FindLocked(id, DbCheckpointState.Retiring) is not null;
        }

        if (retiring)
        {
            Enqueue(() =>
            {
                RetireReleased();
                UpdateInventory();
            });
        }
    }
}
