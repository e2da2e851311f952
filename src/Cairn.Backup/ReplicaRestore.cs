using System.Globalization;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Installs a verified checkpoint as a stopped replica's database. The checkpoint is staged next to the database (hard
/// links to its SST files on the same file system, copies otherwise and of the files RocksDB rewrites) and verified
/// there, on the files that will be installed (manifest, chain, state digest, certificate, chain id), before anything
/// else changes; then it is given the consensus records of the database it replaces (or, when those are lost, marked
/// to withhold votes until the replica has learned where its peers are), and its head checked again. Writing
/// <c>restore.journal</c> is the
/// commit point; the current database is then moved aside (<c>rocksdbdata.pre-restore-TIME</c>) and the staged one
/// renamed into place, keeping the old database's checkpoints. The old database is never deleted here: with
/// <see cref="RestoreRequest.DiscardOld"/> it is recorded in <see cref="PendingDiscard"/>, and the replica host deletes
/// it once the restored replica has started and caught up to its peers' stable checkpoint.
/// </summary>
public static class ReplicaRestore
{
    /// <summary>The staged database, next to the live one.</summary>
    public const string StagingSuffix = ".restore-tmp";

    /// <summary>The prefix of a set-aside database's name after the database directory's.</summary>
    public const string AsideSuffix = ".pre-restore-";

    /// <summary>Restores <paramref name="request"/>. The replica must be stopped (the caller checks).</summary>
    /// <exception cref="DbCheckpointException">When the checkpoint does not verify, belongs to another chain, or cannot
    /// be installed; the current database is then untouched.</exception>
    public static RestoreResult Run(RestoreRequest request, IProgress<TransferProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataDir = Path.GetFullPath(request.DataDirectory);
        var database = Path.GetFullPath(request.DatabaseDirectory);
        // A fresh machine has no data directory yet; its parent (the replica's directory) must exist.
        if (!Directory.Exists(Path.GetDirectoryName(dataDir)))
        {
            throw new DbCheckpointException(dataDir, "neither the replica's data directory nor its parent exists");
        }

        Directory.CreateDirectory(dataDir);

        RecoverInterrupted(dataDir, database);
        var staging = database + StagingSuffix;
        var checkpoints = Path.GetFullPath(request.CheckpointsDirectory);
        var sourcePath = Path.GetFullPath(request.Source);
        var own =
            !File.Exists(sourcePath) && Path.GetDirectoryName(sourcePath.TrimEnd('/')) == checkpoints.TrimEnd('/');

        // Unpack next to the database, so its files can be linked rather than copied again.
        using var source = CheckpointSource.Open(sourcePath, dataDir, progress);
        try
        {
            // The database checks run on the staged files, the ones installed: a copy that differs from its source
            // fails them like a damaged checkpoint, and the chain and state are re-derived once, not again after.
            var (linked, copied) = Stage(source.Directory, staging, progress);
            var verification = CheckpointVerifier.Verify(
                source.Directory,
                request.Keys,
                requireManifest: source.IsArchive,
                expectedChainId: request.ChainId,
                databaseDirectory: staging
            );
            verification.ThrowIfFailed();
            var extension = ChainExtension.ReadFrom(source.Directory);

            // An intermittent backup's extension blocks are appended: the replica starts from the certified block.
            Replay(staging, extension);
            var metadata = extension.Extend(verification.Metadata!);
            ConsensusGeneration? generation = request.NewGenerationNonce is { } nonce
                ? new ConsensusGeneration(nonce, metadata.Certificate.Seq, metadata.Certificate.StateDigest)
                : null;
            var recordsKept = generation is { } started
                ? StartGeneration(staging, started)
                : InstallConsensusRecords(staging, ReadConsensusRecords(database, request.ChainId), own);

            CheckInstalled(staging, metadata);

            var aside = AsideName(database, request.Time);
            var relative = Path.GetRelativePath(database, checkpoints);
            var carry =
                generation is null
                && relative != "."
                && !relative.StartsWith("..", StringComparison.Ordinal)
                && !Path.IsPathRooted(relative)
                    ? relative
                    : null;
            var journalPath = Path.Combine(dataDir, RestoreJournal.FileName);
            var journal = new RestoreJournal(
                database,
                staging,
                aside,
                carry,
                request.DiscardOld,
                metadata.SeqNum.Value
            );
            journal.Write(journalPath);

            // Committed: from here on the restore only rolls forward (here, or at the replica's next start).
            var carried = journal.RollForward(journalPath);
            var oldDatabase = Directory.Exists(aside) ? aside : null;
            return new RestoreResult(
                metadata,
                verification,
                database,
                oldDatabase,
                linked,
                copied,
                !own,
                carried,
                request.DiscardOld && oldDatabase is not null,
                recordsKept,
                generation
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LedgerException)
        {
            throw new DbCheckpointException(
                database,
                $"restore failed, the current database is untouched ({e.Message})"
            );
        }
        finally
        {
            if (!File.Exists(Path.Combine(dataDir, RestoreJournal.FileName)))
            {
                CheckpointSource.DeleteDirectory(staging);
            }
        }
    }

    /// <summary>
    /// At a replica's start (and before each restore): finishes a restore that committed (its journal exists), and
    /// removes what an interrupted, uncommitted one left (a staged database, an unpacked archive).
    /// </summary>
    /// <returns>True when a committed restore was finished.</returns>
    public static bool RecoverInterrupted(string dataDirectory, string databaseDirectory)
    {
        if (!Directory.Exists(dataDirectory))
        {
            return false;
        }

        var journalPath = Path.Combine(dataDirectory, RestoreJournal.FileName);
        var finished = false;
        if (File.Exists(journalPath))
        {
            RestoreJournal.Read(journalPath).RollForward(journalPath);
            finished = true;
        }

        File.Delete(journalPath + ".tmp");
        CheckpointSource.DeleteDirectory(Path.GetFullPath(databaseDirectory) + StagingSuffix);
        foreach (var scratch in Directory.GetDirectories(dataDirectory, CheckpointSource.ScratchPrefix + "*"))
        {
            CheckpointSource.DeleteDirectory(scratch);
        }

        return finished;
    }

    /// <summary>Fills <paramref name="staging"/> with the database files of the checkpoint: SST files (immutable) as
    /// hard
    /// links when possible, everything else copied, since RocksDB rewrites or deletes those when it opens the
    /// database.</summary>
    private static (int Linked, int Copied) Stage(string source, string staging, IProgress<TransferProgress>? progress)
    {
        CheckpointSource.DeleteDirectory(staging);
        Directory.CreateDirectory(staging);
        var files = CheckpointManifest
            .FilesOf(source)
            .Where(f =>
                f is not CheckpointMetadata.FileName and not CheckpointManifest.FileName and not ChainExtension.FileName
            )
            .ToList();
        var toCopy = new List<string>();
        var linked = 0;
        foreach (var file in files)
        {
            var target = Path.Combine(staging, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (
                file.EndsWith(".sst", StringComparison.Ordinal)
                && PosixFiles.TryHardLink(Path.Combine(source, file), target)
            )
            {
                linked++;
            }
            else
            {
                toCopy.Add(file);
            }
        }

        var counter = new ProgressCounter(progress, toCopy.Sum(f => new FileInfo(Path.Combine(source, f)).Length));
        var buffer = new byte[1 << 20];
        foreach (var file in toCopy)
        {
            PosixFiles.CopyDurably(Path.Combine(source, file), Path.Combine(staging, file), buffer, counter);
        }

        PosixFiles.SyncDirectory(staging);
        return (linked, toCopy.Count);
    }

    /// <summary>The consensus records (<c>consensus.</c> metadata: view, slots, stable certificate) of the database the
    /// restore replaces, or null when it is missing, does not open, or belongs to another chain.</summary>
    private static List<KeyValuePair<string, byte[]>>? ReadConsensusRecords(string database, string chainId)
    {
        if (!File.Exists(Path.Combine(database, "CURRENT")))
        {
            return null;
        }

        try
        {
            using var old = RocksDbLedger.OpenReadOnly(database);
            return old.ChainId == chainId ? [.. old.ReadMetadata(ConsensusMetadataPrefix)] : null;
        }
        catch (LedgerException)
        {
            // A database that no longer opens is why one restores; its records are lost, which the result reports.
            return null;
        }
    }

    /// <summary>
    /// What the replica promised must survive the restore (docs/design.md, "Restore safety"): the staged database gets
    /// the replaced
    /// database's consensus records when they could be read. Otherwise the checkpoint's own records stay when it is the
    /// replica's own checkpoint (older, but its own), another replica's are removed, and a
    /// <see cref="RestoreRecord"/> makes the replica withhold its votes until it has learned its peers' view and stable
    /// checkpoint. One WriteBatch.
    /// </summary>
    /// <returns>True when the replaced database's records were installed.</returns>
    private static bool InstallConsensusRecords(string staging, List<KeyValuePair<string, byte[]>>? kept, bool own)
    {
        using var ledger = RocksDbLedger.Open(staging, new LedgerOptions());
        var writes = new List<MetadataWrite>();
        if (kept is not null || !own)
        {
            // A peer's checkpoint keeps the generation it was taken in: its signatures are the cluster's.
            var keep = kept?.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal) ?? [GenerationMetadata.Key];
            writes.AddRange(
                ledger
                    .ReadMetadata(ConsensusMetadataPrefix)
                    .Where(kv => !keep.Contains(kv.Key))
                    .Select(kv => new MetadataWrite(kv.Key, null))
            );
        }

        if (kept is not null)
        {
            writes.AddRange(kept.Select(kv => new MetadataWrite(kv.Key, kv.Value)));
        }
        else
        {
            writes.Add(
                new MetadataWrite(ConsensusMetadataPrefix + RestoreRecord.Learning.Key, RestoreRecord.Learning.Encode())
            );
        }

        if (writes.Count > 0)
        {
            ledger.WriteMetadata(writes);
        }

        ledger.Sync();
        return kept is not null;
    }

    /// <summary>
    /// Restoring every replica: no consensus record of the checkpoint stays (nothing signed before counts in the new
    /// generation) and the generation record takes their place. One WriteBatch.
    /// </summary>
    /// <returns>False: no record of the replaced database is kept.</returns>
    private static bool StartGeneration(string staging, ConsensusGeneration generation)
    {
        using var ledger = RocksDbLedger.Open(staging, new LedgerOptions());
        var writes = ledger
            .ReadMetadata(ConsensusMetadataPrefix)
            .Where(kv => kv.Key != GenerationMetadata.Key)
            .Select(kv => new MetadataWrite(kv.Key, null))
            .Append(GenerationMetadata.Write(generation))
            .ToList();
        ledger.WriteMetadata(writes);
        ledger.Sync();
        return false;
    }

    /// <summary>The metadata key prefix of a replica's consensus records (ConsensusStateStore).</summary>
    public const string ConsensusMetadataPrefix = "consensus.";

    /// <summary>
    /// After the verified files were given their consensus records (and an intermittent backup's extension blocks):
    /// the database opens at the checkpoint's head, and its last block re-derives to the certified digest and records
    /// the certified state digest. What came before was re-derived in full on these same files; since then only
    /// RocksDB's recovery of their log, the consensus records (metadata) and <see cref="Replay"/> (each block checked
    /// as it is stored) wrote to them.
    /// </summary>
    private static void CheckInstalled(string directory, CheckpointMetadata metadata)
    {
        using var reader = RocksDbLedger.OpenReadOnly(directory);
        var head = reader.Head;
        var last = head.LastBlockId == BlockId.Genesis ? null : reader.GetBlock(head.LastBlockId);
        if (
            head.LastBlockId != metadata.LastBlockId
            || head.LastDigest != metadata.LastBlockDigest
            || reader.ChainId != metadata.ChainId
            || (last is not null && (last.Digest != head.LastDigest || last.StateDigest != metadata.StateDigest))
        )
        {
            throw new DbCheckpointException(
                directory,
                $"the installed database holds block {head.LastBlockId}, not the checkpoint's {metadata.LastBlockId}"
            );
        }
    }

    /// <summary>Appends <paramref name="extension"/>'s blocks to the staged database, each re-derived from its state
    /// and stored only when it comes out the same (<see cref="ILedgerStore.Install"/>).</summary>
    /// <exception cref="BlockMismatchException">When a block does not re-derive.</exception>
    private static void Replay(string staging, ChainExtension extension)
    {
        if (extension.Blocks.Count == 0)
        {
            return;
        }

        using var ledger = RocksDbLedger.Open(staging, new LedgerOptions());
        foreach (var block in extension.Blocks)
        {
            ledger.Install(block);
        }

        ledger.Sync();
    }

    private static string AsideName(string database, TimeProvider time)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var name = database + AsideSuffix + stamp;
        for (var i = 1; Directory.Exists(name); i++)
        {
            name = database + AsideSuffix + stamp + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        return name;
    }
}
