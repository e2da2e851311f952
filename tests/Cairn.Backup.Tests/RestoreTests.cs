using AwesomeAssertions;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

/// <summary>ReplicaRestore: installs only a verified checkpoint, keeps the old database and its checkpoints, resets a
/// foreign checkpoint's consensus metadata, and finishes or cleans up after a crash.</summary>
public sealed class RestoreTests
{
    [Fact]
    public async Task Restoring_an_archive_installs_its_state_keeps_the_old_database_and_checkpoints_resets_metadata()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var oldFiles = CheckpointFixture.Snapshot(f.Database);

        var result = ReplicaRestore.Run(f.Request(f.Archive));

        result.Checkpoint.ToJsonBytes().Should().Equal(f.Metadata.ToJsonBytes());
        result.ConsensusMetadataReset.Should().BeTrue();
        result.ConsensusRecordsKept.Should().BeTrue();
        result.CheckpointsCarriedOver.Should().Be(1);
        using (var restored = RocksDbLedger.OpenReadOnly(f.Database))
        {
            restored.Head.LastBlockId.Should().Be(new Cairn.Core.BlockId(20));
            restored.Head.LastDigest.Should().Be(f.Metadata.LastBlockDigest);
            LedgerDigests.State(restored).Should().Be(f.Metadata.StateDigest);
            restored
                .ReadMetadata(ReplicaRestore.ConsensusMetadataPrefix)
                .Should()
                .ContainSingle()
                .Which.Should()
                .Match<KeyValuePair<string, byte[]>>(
                    kv => kv.Key == "consensus.view" && kv.Value.SequenceEqual(new byte[] { 9 }),
                    "the peer's records are gone, the replaced database's (this replica's promises) are kept"
                );
            restored.GetValue(BackupHarness.Bytes("old")).Should().BeNull();
        }

        File.ReadAllText(Path.Combine(f.Checkpoints, "3", "marker")).Should().Be("old checkpoint");
        result.OldDatabase.Should().StartWith(f.Database + ReplicaRestore.AsideSuffix);
        var aside = CheckpointFixture.Snapshot(result.OldDatabase!);
        aside
            .Should()
            .Equal(oldFiles.Where(kv => !kv.Key.StartsWith("checkpoints", StringComparison.Ordinal)).ToDictionary());
        using (var old = RocksDbLedger.OpenReadOnly(result.OldDatabase!))
        {
            old.Head.Should().Be(f.OldHead);
        }

        Directory
            .GetFileSystemEntries(f.DataDir)
            .Select(Path.GetFileName)
            .Should()
            .BeEquivalentTo(["rocksdbdata", Path.GetFileName(result.OldDatabase)]);
    }

    [Fact]
    public async Task Restoring_its_own_checkpoint_keeps_metadata_and_discard_old_leaves_the_old_one_to_the_replica()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        // The replica's own checkpoint, in its own checkpoint directory.
        var own = Path.Combine(f.Checkpoints, "20");
        VerifyAndExportTests.CopyDirectory(f.Checkpoint, own);

        var result = ReplicaRestore.Run(f.Request(own) with { DiscardOld = true });

        result.ConsensusMetadataReset.Should().BeFalse();
        (result.LinkedFiles + result.CopiedFiles)
            .Should()
            .Be(Directory.GetFiles(own).Length - 1, "every file but checkpoint.json is installed");
        Directory.GetDirectories(f.Checkpoints).Select(Path.GetFileName).Should().BeEquivalentTo(["3", "20"]);
        using (var restored = RocksDbLedger.OpenReadOnly(f.Database))
        {
            restored
                .GetMetadata("consensus.view")
                .Should()
                .Equal([9], "the replaced database's records are newer than the checkpoint's");
            LedgerDigests.State(restored).Should().Be(f.Metadata.StateDigest);
        }

        // Not deleted yet: the replica host deletes it once it has started and caught up.
        result.OldDatabasePendingDiscard.Should().BeTrue();
        Directory.Exists(result.OldDatabase).Should().BeTrue();
        var pending = PendingDiscard.Load(f.DataDir)!;
        pending.Databases.Should().Equal(result.OldDatabase);
        pending.RestoredSeq.Should().Be(f.Metadata.SeqNum.Value);

        pending.Complete(f.DataDir).Should().Equal(result.OldDatabase);
        PendingDiscard.Load(f.DataDir).Should().BeNull();
        Directory.GetFileSystemEntries(f.DataDir).Select(Path.GetFileName).Should().Equal("rocksdbdata");
    }

    [Fact]
    public async Task A_corrupt_checkpoint_or_one_of_another_chain_is_refused_and_the_current_database_is_untouched()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var before = CheckpointFixture.Snapshot(f.DataDir);
        var corrupt = f.Unpacked("corrupt");
        var current = Path.Combine(corrupt, "CURRENT");
        File.WriteAllText(current, File.ReadAllText(current) + " ");

        ((Action)(() => ReplicaRestore.Run(f.Request(corrupt))))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain("CURRENT");
        ((Action)(() => ReplicaRestore.Run(f.Request(f.Archive) with { ChainId = "another-chain" })))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain("another-chain");
        (
            (Action)(
                () =>
                    ReplicaRestore.Run(
                        f.Request(f.Archive) with
                        {
                            Keys = new ReplicaPublicKeys([
                                .. Enumerable
                                    .Range(0, 4)
                                    .Select(_ => Cairn.Core.Crypto.SigningKey.Generate().PublicKey),
                            ]),
                        }
                    )
            )
        )
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(CheckpointVerifier.CertificateCheck);

        var bytes = File.ReadAllBytes(f.Archive);
        var truncated = f.Dir.Sub("truncated.tar.gz");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        ((Action)(() => ReplicaRestore.Run(f.Request(truncated))))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(truncated);

        var missing = f.Unpacked("missing");
        var file = LargestDatabaseFile(missing);
        File.Delete(file);
        ((Action)(() => ReplicaRestore.Run(f.Request(missing))))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(Path.GetFileName(file));

        var flipped = f.Unpacked("flipped");
        var flippedFile = LargestDatabaseFile(flipped);
        var content = File.ReadAllBytes(flippedFile);
        content[content.Length / 2] ^= 0x01;
        File.WriteAllBytes(flippedFile, content);
        ((Action)(() => ReplicaRestore.Run(f.Request(flipped))))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(Path.GetFileName(flippedFile));

        var shortCertificate = f.Dir.Sub("short-certificate");
        VerifyAndExportTests.CopyDirectory(f.Checkpoint, shortCertificate);
        var m = f.Metadata;
        (
            m with
            {
                Certificate = new Cairn.Consensus.Messages.StableCheckpointCertificate(
                    m.SeqNum,
                    m.LastBlockDigest,
                    [.. m.Certificate.Signatures.Take(2)]
                ),
            }
        ).Write(Path.Combine(shortCertificate, CheckpointMetadata.FileName));
        ((Action)(() => ReplicaRestore.Run(f.Request(shortCertificate))))
            .Should()
            .Throw<DbCheckpointException>()
            .Which.Message.Should()
            .Contain(CheckpointVerifier.CertificateCheck);

        CheckpointFixture
            .Snapshot(f.DataDir)
            .Should()
            .Equal(before, "a refused restore changes nothing of the replica's data");
    }

    [Fact]
    public async Task When_the_replaced_database_is_lost_the_restored_replica_is_marked_to_withhold_its_votes()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var own = Path.Combine(f.Checkpoints, "20");
        VerifyAndExportTests.CopyDirectory(f.Checkpoint, own);
        // The disk failed: the database's files are gone, its checkpoints survive.
        foreach (var file in Directory.GetFiles(f.Database))
        {
            File.Delete(file);
        }

        var fromOwn = ReplicaRestore.Run(f.Request(own));

        fromOwn.ConsensusRecordsKept.Should().BeFalse();
        using (var restored = RocksDbLedger.OpenReadOnly(f.Database))
        {
            restored
                .GetMetadata("consensus.view")
                .Should()
                .Equal([1, 2, 3], "its own checkpoint's records are older but its own");
            restored.GetMetadata("consensus.restore").Should().Equal(Cairn.Consensus.RestoreRecord.Learning.Encode());
        }

        // A wiped data directory restored from a peer's archive: none of the peer's records, and the mark.
        Directory.Delete(f.DataDir, recursive: true);
        var fromPeer = ReplicaRestore.Run(f.Request(f.Archive));

        fromPeer.ConsensusRecordsKept.Should().BeFalse();
        using var fresh = RocksDbLedger.OpenReadOnly(f.Database);
        fresh
            .ReadMetadata(ReplicaRestore.ConsensusMetadataPrefix)
            .Select(kv => kv.Key)
            .Should()
            .Equal("consensus.restore");
    }

    [Fact]
    public async Task Restoring_every_replica_starts_a_generation_at_the_checkpoint_in_place_of_every_record()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var nonce = Cairn.Core.Digest.Compute("cluster restore"u8);

        var result = ReplicaRestore.Run(f.Request(f.Archive) with { NewGenerationNonce = nonce });

        var generation = new Cairn.Consensus.ConsensusGeneration(
            nonce,
            f.Metadata.Certificate.Seq,
            f.Metadata.Certificate.StateDigest
        );
        result.GenerationStarted.Should().Be(generation);
        result.ConsensusRecordsKept.Should().BeFalse("nothing any replica signed before counts in the generation");
        result.CheckpointsCarriedOver.Should().Be(0, "the old database's checkpoints stay with it");
        Directory.Exists(Path.Combine(result.OldDatabase!, "checkpoints", "3")).Should().BeTrue();
        using var restored = RocksDbLedger.OpenReadOnly(f.Database);
        restored
            .ReadMetadata(ReplicaRestore.ConsensusMetadataPrefix)
            .Select(kv => kv.Key)
            .Should()
            .Equal(GenerationMetadata.Key);
        GenerationMetadata.Read(restored).Should().Be(generation);
        restored.Head.LastDigest.Should().Be(f.Metadata.LastBlockDigest);
    }

    private static string LargestDatabaseFile(string checkpoint) =>
        Directory
            .GetFiles(checkpoint)
            .Where(p => Path.GetFileName(p) is not (CheckpointMetadata.FileName or CheckpointManifest.FileName))
            .OrderByDescending(p => new FileInfo(p).Length)
            .First();

    [Fact]
    public async Task A_committed_restore_interrupted_before_its_renames_is_finished_at_the_next_start()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        // The state right after the commit point: the staged database complete, the journal written, nothing renamed.
        var staging = f.Database + ReplicaRestore.StagingSuffix;
        Directory.CreateDirectory(staging);
        foreach (
            var file in Directory
                .EnumerateFiles(f.Checkpoint)
                .Where(p => Path.GetFileName(p) != CheckpointMetadata.FileName)
        )
        {
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        }

        var aside = f.Database + ReplicaRestore.AsideSuffix + "crash";
        new RestoreJournal(
            f.Database,
            staging,
            aside,
            "checkpoints",
            DiscardOldAfterCatchUp: true,
            f.Metadata.SeqNum.Value
        ).Write(Path.Combine(f.DataDir, RestoreJournal.FileName));

        ReplicaRestore.RecoverInterrupted(f.DataDir, f.Database).Should().BeTrue();

        using (var restored = RocksDbLedger.OpenReadOnly(f.Database))
        {
            restored.Head.LastDigest.Should().Be(f.Metadata.LastBlockDigest);
        }

        Directory.Exists(Path.Combine(f.Checkpoints, "3")).Should().BeTrue();
        Directory
            .GetFileSystemEntries(f.DataDir)
            .Select(Path.GetFileName)
            .Should()
            .BeEquivalentTo(["rocksdbdata", Path.GetFileName(aside), PendingDiscard.FileName]);
        PendingDiscard.Load(f.DataDir)!.Databases.Should().Equal(aside);
        ReplicaRestore.RecoverInterrupted(f.DataDir, f.Database).Should().BeFalse("the journal is gone once finished");
    }

    [Fact]
    public async Task An_uncommitted_restore_leaves_only_leftovers_that_the_next_start_removes()
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var before = CheckpointFixture.Snapshot(f.Database);
        Directory.CreateDirectory(f.Database + ReplicaRestore.StagingSuffix);
        File.WriteAllText(Path.Combine(f.Database + ReplicaRestore.StagingSuffix, "000001.sst"), "half");
        Directory.CreateDirectory(Path.Combine(f.DataDir, CheckpointSource.ScratchPrefix + "abc"));

        ReplicaRestore.RecoverInterrupted(f.DataDir, f.Database).Should().BeFalse();

        Directory.GetFileSystemEntries(f.DataDir).Select(Path.GetFileName).Should().Equal("rocksdbdata");
        CheckpointFixture.Snapshot(f.Database).Should().Equal(before);
    }

    [Fact]
    public void Sst_files_are_installed_as_hard_links_on_one_file_system()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub("000001.sst"), "immutable");

        PosixFiles.TryHardLink(dir.Sub("000001.sst"), dir.Sub("linked.sst")).Should().BeTrue();

        PosixFiles.Identify(dir.Sub("linked.sst")).Should().Be(PosixFiles.Identify(dir.Sub("000001.sst")));
        PosixFiles.TryHardLink(dir.Sub("000001.sst"), dir.Sub("linked.sst")).Should().BeFalse("the target exists");
    }
}
