using Cairn.Core;

namespace Cairn.Backup;

public sealed partial class DbCheckpointManager
{
    /// <summary>
    /// The disk monitor: while free space on the checkpoint file system is under
    /// <c>db_checkpoint_diskspace_threshold</c> × the RocksDB size, deletes the oldest checkpoint, never the newest
    /// good one and never a pinned one. First deletes the checkpoints retention kept for a reader that has let go of
    /// them since (a reader in another process gives no other signal). Runs on the background worker.
    /// </summary>
    /// <returns>The checkpoints deleted, oldest first.</returns>
    public Task<IReadOnlyList<DbCheckpointInfo>> EnforceDiskSpaceAsync(CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource<IReadOnlyList<DbCheckpointInfo>>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        if (!_settings.Enabled)
        {
            result.SetResult([]);
            return result.Task;
        }

        Enqueue(() =>
        {
            try
            {
                result.TrySetResult(EnforceDiskSpace());
            }
#pragma warning disable CA1031 // handed to the caller
            catch (Exception e)
#pragma warning restore CA1031
            {
                result.TrySetException(e);
            }
        });
        return result.Task.WaitAsync(cancellationToken);
    }

    private List<DbCheckpointInfo> EnforceDiskSpace()
    {
        var floor = (long)(_settings.DiskSpaceThreshold * DiskUsage.SizeOf(_ledger.Location, recursive: false));
        var deleted = new List<DbCheckpointInfo>();
        var free = _freeSpace.AvailableBytes(Directory);
        var progress = true;
        while (progress)
        {
            // Sizes are measured only when space is short: they let the plan stop at the floor.
            var bytes = free < floor ? MeasureDiskUsage().ToDictionary(u => u.Id, u => u.ExclusiveBytes) : null;
            var plan = RetentionPlanner.ForDiskSpace(Candidates(bytes), free, floor);
            progress = false;
            foreach (var id in plan.Delete)
            {
                if (TakeRetiring(id) is { } released)
                {
                    DeleteCheckpoint(released, "retention, after its reader released it", justRetired: false);
                    continue;
                }

                // The plan's sizes are estimates (hard links): measure again before each deletion.
                free = _freeSpace.AvailableBytes(Directory);
                if (free >= floor || Retire(id) is not { } victim)
                {
                    break;
                }

                if (deleted.Count == 0)
                {
                    BackupLog.DiskLow(_logger, free, floor);
                }

                if (DeleteCheckpoint(victim, "disk space", justRetired: true))
                {
                    deleted.Add(victim.Info!);
                }

                progress = true;
            }

            free = _freeSpace.AvailableBytes(Directory);
            progress &= free < floor;
        }

        if (deleted.Count > 0)
        {
            UpdateInventory();
        }

        return deleted;
    }

    /// <summary>Keeps the newest <c>num_of_rocksdbcheckpoints</c>: deletes the oldest beyond that now, or, when a
    /// reader
    /// pins one (in this process or, through a pin file, in another), unlists it and deletes it once
    /// released.</summary>
    private void ApplyRetention()
    {
        var plan = RetentionPlanner.ForCount(Candidates(bytes: null), _settings.MaxCheckpoints);
        foreach (var id in plan.Retire)
        {
            if (Retire(id) is not null)
            {
                BackupLog.DeleteDeferred(_logger, id.Value, "retention");
            }
        }

        foreach (var id in plan.Delete)
        {
            if (TakeRetiring(id) is { } released)
            {
                DeleteCheckpoint(released, "retention, after its reader released it", justRetired: false);
            }
            else if (Retire(id) is { } oldest)
            {
                DeleteCheckpoint(
                    oldest,
                    $"retention: num_of_rocksdbcheckpoints is {_settings.MaxCheckpoints}",
                    justRetired: true
                );
            }
        }
    }

    /// <summary>Deletes the retired checkpoints that no reader pins any more (a reader in another process gives no
    /// signal when it lets go: this runs after each checkpoint and on the disk monitor's period).</summary>
    private void RetireReleased()
    {
        foreach (var id in RetentionPlanner.Released(Candidates(bytes: null)).ToList())
        {
            if (TakeRetiring(id) is { } released)
            {
                DeleteCheckpoint(released, "retention, after its reader released it", justRetired: false);
            }
        }
    }

    /// <summary>What the planner sees: the complete checkpoints oldest first, then the retiring ones, with this
    /// process's pins (another process's pin is found when deleting, under the pin-file lock).</summary>
    private List<RetentionCandidate> Candidates(Dictionary<BlockId, long>? bytes)
    {
        lock (_gate)
        {
            return
            [
                .. _checkpoints
                    .Where(c => c.IsComplete)
                    .Select(c => new RetentionCandidate(
                        c.Id,
                        Retiring: false,
                        _pins.ContainsKey(c.Id),
                        bytes?.GetValueOrDefault(c.Id) ?? 0
                    )),
                .. _checkpoints
                    .Where(c => c.State == DbCheckpointState.Retiring)
                    .Select(c => new RetentionCandidate(c.Id, Retiring: true, _pins.ContainsKey(c.Id), 0)),
            ];
        }
    }

    /// <summary>Unlists a complete checkpoint the plan chose (it retires), if it is still listed.</summary>
    private TrackedDbCheckpoint? Retire(BlockId id)
    {
        lock (_gate)
        {
            var checkpoint = FindLocked(id, DbCheckpointState.Complete);
            checkpoint?.MoveTo(DbCheckpointState.Retiring);
            return checkpoint;
        }
    }

    /// <summary>A retiring checkpoint the plan chose, if it is still retiring and no reader took it
    /// meanwhile.</summary>
    private TrackedDbCheckpoint? TakeRetiring(BlockId id)
    {
        lock (_gate)
        {
            return !_pins.ContainsKey(id) ? FindLocked(id, DbCheckpointState.Retiring) : null;
        }
    }

    /// <summary>Renames a retiring checkpoint's directory away first (one atomic step), then deletes its files, so a
    /// crash mid-delete never leaves a listed checkpoint with files missing. The rename happens under the pin lock and
    /// only when no other process pins the checkpoint; otherwise, or when the rename fails, the checkpoint stays
    /// retiring and a later retention run tries again.</summary>
    /// <param name="justRetired">It retired for this deletion: a deferral is news worth a log line.</param>
    /// <returns>True when it was deleted.</returns>
    private bool DeleteCheckpoint(TrackedDbCheckpoint checkpoint, string why, bool justRetired)
    {
        var directory = checkpoint.Info!.Directory;
        var doomed = directory + DeletingSuffix;
        try
        {
            using (DbCheckpointFilePin.HoldLock(Directory))
            {
                if (DbCheckpointFilePin.IsPinned(Directory, checkpoint.Id))
                {
                    if (justRetired)
                    {
                        BackupLog.DeleteDeferred(_logger, checkpoint.Id.Value, why + "; pinned by another process");
                    }

                    return false;
                }

                System.IO.Directory.Move(directory, doomed);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            BackupLog.DeleteFailed(_logger, directory, e.Message);
            return false;
        }

        lock (_gate)
        {
            checkpoint.MoveTo(DbCheckpointState.Deleted);
            _checkpoints.Remove(checkpoint);
        }

        if (TryDeleteDirectory(doomed))
        {
            BackupLog.Deleted(_logger, checkpoint.Id.Value, why);
        }

        return true;
    }

    private static void DeleteDirectory(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }

    private bool TryDeleteDirectory(string path)
    {
        try
        {
            DeleteDirectory(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            BackupLog.DeleteFailed(_logger, path, e.Message);
            return false;
        }
    }

    /// <summary>Measures every good checkpoint's disk use now (stats every file: for operator commands, not the
    /// consensus thread).</summary>
    public IReadOnlyList<DbCheckpointDiskUsage> MeasureDiskUsage()
    {
        var good = List();
        var live = DiskUsage.FilesOf(_ledger.Location, recursive: false);
        var files = good.Select(c => DiskUsage.FilesOf(c.Directory)).ToList();
        return
        [
            .. good.Select(
                (c, i) =>
                    new DbCheckpointDiskUsage(
                        c.Id,
                        files[i].Values.Sum(),
                        DiskUsage.ExclusiveBytes(files[i], files.Where((_, j) => j != i).Append(live))
                    )
            ),
        ];
    }

    /// <summary>On the worker: the count, the newest checkpoint and the bytes held only by checkpoints, for
    /// metrics.</summary>
    private void UpdateInventory()
    {
        var good = List();
        _metrics.Inventory(good.Count, good.Count > 0 ? good[^1] : null);
        var live = DiskUsage.FilesOf(_ledger.Location, recursive: false);
        var held = new Dictionary<(ulong, ulong), long>();
        List<DbCheckpointInfo> retiring;
        lock (_gate)
        {
            retiring = [.. _checkpoints.Where(c => c.State == DbCheckpointState.Retiring).Select(c => c.Info!)];
        }

        foreach (var checkpoint in good.Concat(retiring))
        {
            foreach (var (file, size) in DiskUsage.FilesOf(checkpoint.Directory))
            {
                if (!live.ContainsKey(file))
                {
                    held[file] = size;
                }
            }
        }

        _metrics.BytesHeld(held.Values.Sum());
    }
}
