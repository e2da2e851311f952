using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Intermittent backup (<c>backup_mode: intermittent</c>): a copy of a <em>stopped</em> replica's database with a
/// manifest of every file's SHA-256, a <c>checkpoint.json</c> with a 2f+1 certificate, and the chain extension that
/// links the copy's last block to the block the certificate signs (<see cref="ChainExtension"/>), so that everything
/// that takes a DB checkpoint takes it. <see cref="Copy"/> copies into <c>DIR.tmp</c> and checks the copy's chain;
/// <see cref="Complete"/> stores the certificate, verifies the whole backup as <see cref="CheckpointVerifier"/> does
/// and renames it to <c>DIR</c> (the commit point). Checkpoint directories inside the database are not copied.
/// </summary>
public static class IntermittentBackup
{
    /// <summary>Copies <paramref name="databaseDirectory"/> (whose replica must be stopped) into <paramref
    /// name="targetDirectory"/><c>.tmp</c>; <paramref name="targetDirectory"/> must not exist.</summary>
    /// <exception cref="DbCheckpointException">When the target exists, the database holds no block, a file cannot be
    /// copied, or the copy's chain does not verify; nothing is left under the target's name.</exception>
    public static IntermittentCopy Copy(
        string databaseDirectory,
        string? excludeDirectory,
        string targetDirectory,
        IProgress<TransferProgress>? progress = null
    )
    {
        databaseDirectory = Path.GetFullPath(databaseDirectory);
        targetDirectory = Path.GetFullPath(targetDirectory);
        if (Directory.Exists(targetDirectory) || File.Exists(targetDirectory))
        {
            throw new DbCheckpointException(targetDirectory, "already exists (a backup never overwrites)");
        }

        if (!Directory.Exists(databaseDirectory))
        {
            throw new DbCheckpointException(databaseDirectory, "no database to back up");
        }

        var exclude = excludeDirectory is null ? null : Path.GetFullPath(excludeDirectory).TrimEnd('/') + "/";
        var files = CheckpointManifest
            .FilesOf(databaseDirectory)
            .Where(f =>
                exclude is null || !Path.Combine(databaseDirectory, f).StartsWith(exclude, StringComparison.Ordinal)
            )
            .Where(f => f != "LOCK")
            .ToList();
        var tmp = targetDirectory + ".tmp";
        CheckpointSource.DeleteDirectory(tmp);
        try
        {
            Directory.CreateDirectory(tmp);
            var counter = new ProgressCounter(
                progress,
                files.Sum(f => new FileInfo(Path.Combine(databaseDirectory, f)).Length)
            );
            var buffer = new byte[1 << 20];
            foreach (var file in files)
            {
                var target = Path.Combine(tmp, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                PosixFiles.CopyDurably(Path.Combine(databaseDirectory, file), target, buffer, counter);
            }

            PosixFiles.SyncDirectory(tmp);
            using var reader = RocksDbLedger.OpenReadOnly(tmp);
            var head = ChainVerifier.Verify(reader).Head;
            if (head.LastBlockId == BlockId.Genesis)
            {
                throw new DbCheckpointException(
                    databaseDirectory,
                    "the replica holds no block yet: nothing to back up"
                );
            }

            var last = reader.GetBlock(head.LastBlockId)!;
            return new IntermittentCopy(
                targetDirectory,
                tmp,
                head,
                last.StateDigest,
                last.Timestamp,
                files.Sum(f => new FileInfo(Path.Combine(tmp, f)).Length),
                reader.ChainId,
                GenerationMetadata.Read(reader),
                OwnCertificate(reader, head)
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerException)
        {
            CheckpointSource.DeleteDirectory(tmp);
            throw new DbCheckpointException(targetDirectory, $"backup failed ({e.Message})");
        }
        catch
        {
            CheckpointSource.DeleteDirectory(tmp);
            throw;
        }
    }

    /// <summary>
    /// Stores <paramref name="certificate"/> and <paramref name="extension"/> with the copy, writes its
    /// <c>checkpoint.json</c> and manifest, verifies it with <paramref name="keys"/> as <c>cairn checkpoint verify</c>
    /// would, and renames it into place (the commit point).
    /// </summary>
    /// <param name="epoch">The epoch the copied replica was in (<see cref="CheckpointMetadata.Epoch"/>).</param>
    /// <exception cref="DbCheckpointException">When the backup does not verify (the certificate does not cover the
    /// copy, too few valid signatures) or cannot be written; the staged copy is removed and nothing is left under the
    /// target's name.</exception>
    public static (CheckpointManifest Manifest, CheckpointMetadata Metadata) Complete(
        IntermittentCopy copy,
        StableCheckpointCertificate certificate,
        ChainExtension extension,
        long epoch,
        ReplicaPublicKeys keys
    )
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(extension);
        var tmp = copy.StagingDirectory;
        try
        {
            if (extension.Blocks.Count > 0)
            {
                extension.Write(Path.Combine(tmp, ChainExtension.FileName));
            }

            var metadata = new CheckpointMetadata
            {
                Id = copy.Head.LastBlockId,
                SeqNum = copy.Head.LastSeqNum,
                LastBlockId = copy.Head.LastBlockId,
                LastBlockDigest = copy.Head.LastDigest,
                StateDigest = copy.StateDigest,
                CreatedAt = copy.CreatedAt,
                SizeBytes = copy.SizeBytes,
                ExclusiveBytes = copy.SizeBytes, // a copy shares no file with anything
                Certificate = certificate,
                ChainId = copy.ChainId,
                Epoch = epoch,
            };
            metadata.Write(Path.Combine(tmp, CheckpointMetadata.FileName));
            var manifest = CheckpointManifest.Create(tmp);
            manifest.Write(Path.Combine(tmp, CheckpointManifest.FileName));
            PosixFiles.SyncDirectory(tmp);
            var verification = CheckpointVerifier.Verify(tmp, keys, requireManifest: true, copy.ChainId);
            if (verification.FirstFailure is { } failure)
            {
                throw new DbCheckpointException(
                    copy.TargetDirectory,
                    $"backup failed, its certificate does not verify: {failure.Name}: {failure.Detail}"
                );
            }

            Directory.Move(tmp, copy.TargetDirectory);
            PosixFiles.SyncDirectory(Path.GetDirectoryName(copy.TargetDirectory)!);
            return (manifest, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerException)
        {
            copy.Abandon();
            throw new DbCheckpointException(copy.TargetDirectory, $"backup failed ({e.Message})");
        }
        catch
        {
            copy.Abandon();
            throw;
        }
    }

    /// <summary>Decodes a certificate and chain extension fetched from a replica
    /// (<c>CertifiedChainAnswer</c>).</summary>
    /// <exception cref="CanonicalEncodingException">When either does not decode.</exception>
    public static (StableCheckpointCertificate Certificate, ChainExtension Extension) Decode(
        byte[] certificate,
        IReadOnlyList<byte[]> blocks
    )
    {
        ArgumentNullException.ThrowIfNull(blocks);
        try
        {
            return (
                StableCheckpointCertificate.Decode(certificate),
                new ChainExtension([.. blocks.Select(Block.Decode)])
            );
        }
        catch (ArgumentException e)
        {
            throw new CanonicalEncodingException(e.Message);
        }
    }

    /// <summary>What is wrong with a certificate and blocks fetched for <paramref name="copy"/>, or null: the blocks
    /// must chain from the copy's last block and, once <paramref name="complete"/>, end at the certified block, whose
    /// certificate must carry 2f+1 valid signatures under <paramref name="keys"/>.</summary>
    public static string? FindFetchProblem(
        IntermittentCopy copy,
        ReplicaPublicKeys keys,
        byte[] certificate,
        IReadOnlyList<byte[]> blocks,
        bool complete
    )
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(keys);
        try
        {
            var (decoded, extension) = Decode(certificate, blocks);
            if (extension.FindMismatch(copy.Head, complete ? decoded : null) is { } problem)
            {
                return problem;
            }

            return !complete || decoded.Verify(keys.Keys, keys.F, copy.Generation)
                ? null
                : $"the certificate for seq {decoded.Seq} has fewer than {2 * keys.F + 1} valid signatures";
        }
        catch (CanonicalEncodingException e)
        {
            return $"not a certificate and blocks ({e.Message})";
        }
    }

    /// <summary>The replica's own persisted stable checkpoint certificate when it certifies <paramref name="head"/>,
    /// else null.</summary>
    private static StableCheckpointCertificate? OwnCertificate(ILedgerReader reader, LedgerHead head)
    {
        if (reader.GetMetadata(ReplicaRestore.ConsensusMetadataPrefix + StableRecordKey) is not { } bytes)
        {
            return null;
        }

        try
        {
            return
                PersistentRecord.Decode(bytes) is StableCheckpointRecord { Certificate: var certificate }
                && certificate.Seq == head.LastSeqNum
                && certificate.StateDigest == head.LastDigest
                ? certificate
                : null;
        }
        catch (CanonicalEncodingException)
        {
            return null; // unreadable: the cluster is asked instead
        }
    }

    // StableCheckpointRecord.Key: the replica keeps its latest stable certificate under this consensus record.
    private const string StableRecordKey = "stable";
}
