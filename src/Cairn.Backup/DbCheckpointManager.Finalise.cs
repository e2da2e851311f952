using System.Diagnostics;
using Cairn.Consensus.Messages;
using Cairn.Ledger;

namespace Cairn.Backup;

public sealed partial class DbCheckpointManager
{
    /// <summary>
    /// On the worker: verifies the checkpoint taken at a boundary against its certificate, writes and fsyncs its
    /// metadata, and renames it into place (the commit point), then applies retention. Any failure removes it.
    /// </summary>
    private void Finalise(TrackedDbCheckpoint pending, StableCheckpointCertificate certificate)
    {
        var tmp = pending.TmpDirectory!;
        var final = pending.FinalDirectory!;
        var started = Stopwatch.GetTimestamp();
        CheckpointMetadata metadata;
        try
        {
            metadata = VerifyAndDescribe(pending, certificate);
            metadata.Write(Path.Combine(tmp, CheckpointMetadata.FileName));
            PosixFiles.SyncDirectory(tmp);
            if (System.IO.Directory.Exists(final))
            {
                throw new DbCheckpointException(final, "a checkpoint with this id appeared meanwhile");
            }

            System.IO.Directory.Move(tmp, final);
        }
        catch (Exception e)
            when (e
                    is DbCheckpointException
                        or LedgerException
                        or CheckpointMetadataException
                        or IOException
                        or UnauthorizedAccessException
            )
        {
            Fail(pending.Seq, "finalise", e.Message, tmp, pending);
            return;
        }

        try
        {
            PosixFiles.SyncDirectory(Directory);
        }
        catch (IOException e)
        {
            // The rename happened; only its durability across a power loss is in doubt. Still a complete checkpoint.
            BackupLog.HousekeepingFailed(_logger, e.Message);
        }

        lock (_gate)
        {
            pending.Complete(new DbCheckpointInfo(final, metadata));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics.Created();
        _metrics.FinaliseDuration(elapsed);
        BackupLog.Completed(
            _logger,
            metadata.Id.Value,
            metadata.SeqNum.Value,
            metadata.StateDigest,
            metadata.SizeBytes,
            metadata.ExclusiveBytes,
            elapsed.TotalMilliseconds
        );
        ApplyRetention();
        UpdateInventory();
    }

    /// <summary>
    /// Checks the checkpoint's head block, and only it, against the digest it records of its predecessor: what
    /// finalisation must establish (docs/architecture.md, "Cost of finalisation") costs the same however many blocks
    /// were written since the previous checkpoint. Re-deriving those blocks here made an on-demand checkpoint read
    /// everything written since the last one first (periodic ones come at most every 6 hours by default): minutes after
    /// 8 GiB of writes. The whole history is re-derived by <c>cairn checkpoint verify</c> and <c>cairn restore</c>.
    /// </summary>
    private static LedgerHead VerifyHead(ILedgerReader reader)
    {
        var head = reader.Head;
        if (head.LastBlockId == Cairn.Core.BlockId.Genesis)
        {
            return ChainVerifier.Verify(reader).Head;
        }

        var last =
            reader.GetBlock(head.LastBlockId)
            ?? throw new DbCheckpointException(reader.Location, $"its head block {head.LastBlockId} is missing");
        return ChainVerifier.Verify(reader, last.Id, last.PreviousDigest).Head;
    }

    private CheckpointMetadata VerifyAndDescribe(TrackedDbCheckpoint pending, StableCheckpointCertificate certificate)
    {
        var tmp = pending.TmpDirectory!;
        var taken = pending.Head!.Value;
        Cairn.Core.Digest stateDigest;
        using (var reader = RocksDbLedger.OpenReadOnly(tmp))
        {
            // Read back what the checkpoint holds, not what we think we asked for (RocksDB has shipped checkpoints
            // that do not open, or without a synced CURRENT).
            var head = VerifyHead(reader);
            if (head != taken)
            {
                throw new DbCheckpointException(
                    tmp,
                    $"holds block {head.LastBlockId} at seq {head.LastSeqNum}, "
                        + $"the checkpoint call reported block {taken.LastBlockId} at seq "
                        + $"{taken.LastSeqNum}"
                );
            }

            if (head.LastSeqNum != certificate.Seq)
            {
                throw new DbCheckpointException(
                    tmp,
                    $"holds seq {head.LastSeqNum}, the certificate is for seq {certificate.Seq}"
                );
            }

            if (head.LastDigest != certificate.StateDigest)
            {
                throw new DbCheckpointException(
                    tmp,
                    $"its last block has digest {head.LastDigest.ToHex()[..16]}…, "
                        + $"the certificate of seq {certificate.Seq} certifies {certificate.StateDigest.ToHex()[..16]}…"
                );
            }

            if (reader.ChainId != _chainId)
            {
                throw new DbCheckpointException(tmp, $"belongs to chain '{reader.ChainId}', not '{_chainId}'");
            }

            // The certified head block records the state digest; the hash maintained with every block must give it
            // (opening the ledger checked the same, this names the checkpoint). O(1): the state itself is re-hashed
            // only by verify and restore.
            var recorded = LedgerDigests.RecordedState(reader);
            stateDigest = reader.StateDigest;
            if (stateDigest != recorded)
            {
                throw new DbCheckpointException(
                    tmp,
                    $"its maintained state digest is {stateDigest.ToHex()[..16]}…, the certified block "
                        + $"{head.LastBlockId} records {recorded.ToHex()[..16]}…"
                );
            }
        }

        // A file the live database holds too is one RocksDB linked rather than copied, and RocksDB synced it when it
        // wrote it; the copies (MANIFEST, CURRENT, OPTIONS, WAL, or every file when the checkpoints are on another
        // file system) may not be synced. Syncing the linked ones as well made finalisation grow with the database.
        var live = DiskUsage.FilesOf(_ledger.Location, recursive: false);
        foreach (var file in System.IO.Directory.EnumerateFiles(tmp, "*", SearchOption.AllDirectories))
        {
            var identity = PosixFiles.Identify(file);
            if (!live.ContainsKey((identity.Device, identity.Inode)))
            {
                PosixFiles.SyncFile(file);
            }
        }

        var own = DiskUsage.FilesOf(tmp);
        var others = new List<Dictionary<(ulong, ulong), long>> { live };
        others.AddRange(List().Select(c => DiskUsage.FilesOf(c.Directory)));
        return new CheckpointMetadata
        {
            Id = taken.LastBlockId,
            SeqNum = pending.Seq,
            LastBlockId = taken.LastBlockId,
            LastBlockDigest = taken.LastDigest,
            StateDigest = stateDigest,
            CreatedAt = pending.ConsensusTime,
            SizeBytes = own.Values.Sum(),
            ExclusiveBytes = DiskUsage.ExclusiveBytes(own, others),
            Certificate = certificate,
            ChainId = _chainId,
            Epoch = (long)pending.Epoch,
        };
    }
}
