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
        var result = new TaskCompletionSource<IReadOnlyList<DbCheckpointInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
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
        RetireReleased();
        var floor = (long)(_settings.DiskSpaceThreshold * DiskUsage.SizeOf(_ledger.Location, recursive: false));
        var deleted = new List<DbCheckpointInfo>();
        while (_freeSpace.AvailableBytes(Directory) is var free && free < floor)
        {
            DbCheckpointInfo? victim;
            lock (_gate)
            {
                victim = _good.Take(_good.Count - 1).FirstOrDefault(c => !_pins.ContainsKey(c.Id));
                if (victim is not null)
                {
                    _good.Remove(victim);
                }
            }

            if (victim is null)
            {
                break;
            }

            if (deleted.Count == 0)
            {
                BackupLog.DiskLow(_logger, free, floor);
            }

            if (DeleteCheckpoint(victim, "disk space"))
            {
                deleted.Add(victim);
            }
        }

        if (deleted.Count > 0)
        {
            UpdateInventory();
        }

        return deleted;
    }

    /// <summary>Keeps the newest <c>num_of_rocksdbcheckpoints</c>: deletes the oldest beyond that now, or, when a reader
    /// pins one (in this process or, through a pin file, in another), unlists it and deletes it once released.</summary>
    private void ApplyRetention()
    {
        var delete = new List<DbCheckpointInfo>();
        lock (_gate)
        {
            while (_good.Count > _settings.MaxCheckpoints)
            {
                var oldest = _good[0];
                _good.RemoveAt(0);
                if (_pins.ContainsKey(oldest.Id))
                {
                    _retiring[oldest.Id] = oldest;
                    BackupLog.DeleteDeferred(_logger, oldest.Id.Value, "retention");
                }
                else
                {
                    delete.Add(oldest);
                }
            }
        }

        foreach (var checkpoint in delete)
        {
            DeleteCheckpoint(checkpoint, $"retention: num_of_rocksdbcheckpoints is {_settings.MaxCheckpoints}");
        }

        RetireReleased();
    }

    /// <summary>Deletes the retired checkpoints that no reader pins any more (a reader in another process gives no
    /// signal when it lets go: this runs after each checkpoint and on the disk monitor's period).</summary>
    private void RetireReleased()
    {
        List<DbCheckpointInfo> released;
        lock (_gate)
        {
            released = [.. _retiring.Values.Where(c => !_pins.ContainsKey(c.Id))];
        }

        foreach (var checkpoint in released)
        {
            DeleteCheckpoint(checkpoint, "retention, after its reader released it");
        }
    }

    /// <summary>Renames the checkpoint out of the listing first (one atomic step), then deletes its files, so a crash
    /// mid-delete never leaves a listed checkpoint with files missing. The rename happens under the pin lock and only
    /// when no other process pins the checkpoint; otherwise the checkpoint is kept as retiring.</summary>
    /// <returns>True when it was deleted.</returns>
    private bool DeleteCheckpoint(DbCheckpointInfo checkpoint, string why)
    {
        var doomed = checkpoint.Directory + DeletingSuffix;
        try
        {
            using (DbCheckpointFilePin.HoldLock(Directory))
            {
                if (DbCheckpointFilePin.IsPinned(Directory, checkpoint.Id))
                {
                    bool first;
                    lock (_gate)
                    {
                        first = _retiring.TryAdd(checkpoint.Id, checkpoint);
                    }

                    if (first)
                    {
                        BackupLog.DeleteDeferred(_logger, checkpoint.Id.Value, why + "; pinned by another process");
                    }

                    return false;
                }

                System.IO.Directory.Move(checkpoint.Directory, doomed);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            BackupLog.DeleteFailed(_logger, checkpoint.Directory, e.Message);
            return false;
        }

        lock (_gate)
        {
            _retiring.Remove(checkpoint.Id);
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
        return [.. good.Select((c, i) => new DbCheckpointDiskUsage(
            c.Id,
            files[i].Values.Sum(),
            DiskUsage.ExclusiveBytes(files[i], files.Where((_, j) => j != i).Append(live))))];
    }

    /// <summary>On the worker: the count, the newest checkpoint and the bytes held only by checkpoints, for metrics.</summary>
    private void UpdateInventory()
    {
        var good = List();
        _metrics.Inventory(good.Count, good.Count > 0 ? good[^1] : null);
        var live = DiskUsage.FilesOf(_ledger.Location, recursive: false);
        var held = new Dictionary<(ulong, ulong), long>();
        List<DbCheckpointInfo> retiring;
        lock (_gate)
        {
            retiring = [.. _retiring.Values];
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
