using AwesomeAssertions;
using Cairn.Ledger;
using RocksDbSharp;

namespace Cairn.Backup.Tests;

/// <summary>A checkpoint whose state was altered, with everything unsigned rewritten to match (checkpoint.json's state
/// digest, the manifest, even the ledger's maintained state hash), is refused: the quorum certificate covers the last
/// block, which records the state digest.</summary>
public sealed class StateTamperingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_altered_state_with_its_digest_and_manifest_rewritten_is_refused_by_verify_restore_and_reads(
        bool maintainedHashRewritten
    )
    {
        await using var f = await CheckpointFixture.CreateAsync();
        var before = CheckpointFixture.Snapshot(f.DataDir);
        var forged = f.Unpacked("forged");
        var forgedDigest = AlterValue(forged, "key-7", "forged", maintainedHashRewritten);

        var verification = CheckpointVerifier.Verify(forged, CheckpointFixture.Keys, requireManifest: true);
        var verify = () => verification.ThrowIfFailed();
        var restore = () => ReplicaRestore.Run(f.Request(forged));

        verification.Checks.Take(2).Should().OnlyContain(c => c.Passed == true, "the manifest and metadata match");
        var message = verify.Should().Throw<DbCheckpointException>().Which.Message;
        message.Should().StartWith(forged).And.NotContain("\n");
        if (maintainedHashRewritten)
        {
            // The ledger checks its maintained hash against the head block when it opens.
            verification.FirstFailure!.Name.Should().Be(CheckpointVerifier.OpenCheck);
            message.Should().Contain("maintained state digest").And.Contain(forgedDigest.ToHex()[..16]);
        }
        else
        {
            verification.FirstFailure!.Name.Should().Be(CheckpointVerifier.StateCheck);
            message
                .Should()
                .Contain($"the state hashes to {forgedDigest.ToHex()}")
                .And.Contain($"the certified block 20 records {f.Metadata.StateDigest.ToHex()}");
            using var reader = RocksDbLedger.OpenReadOnly(forged);
            var read = () =>
                CertifiedState.Check(
                    reader,
                    CheckpointMetadata.Read(Path.Combine(forged, CheckpointMetadata.FileName)),
                    forged
                );
            read.Should().Throw<DbCheckpointException>().WithMessage($"{forged}: state does not match*");
        }

        restore.Should().Throw<DbCheckpointException>().Which.Message.Should().Contain(forged);
        CheckpointFixture.Snapshot(f.DataDir).Should().Equal(before, "a refused restore changes nothing");
    }

    [Fact]
    public async Task The_state_digest_in_checkpoint_json_is_the_one_the_certified_block_records()
    {
        await using var f = await CheckpointFixture.CreateAsync();

        var certified = f.Harness.Ledger.GetBlock(f.Metadata.LastBlockId)!.StateDigest;

        f.Metadata.StateDigest.Should().Be(certified);
        using var reader = RocksDbLedger.OpenReadOnly(f.Checkpoint);
        LedgerDigests.State(reader).Should().Be(certified);
        CertifiedState.FindMismatch(reader, f.Metadata).Should().BeNull();
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> in the checkpoint's state with RocksDB itself,
    /// then rewrites checkpoint.json's state digest and the manifest to match, as a forger would.</summary>
    /// <returns>The digest of the altered state.</returns>
    private static Cairn.Core.Digest AlterValue(string checkpoint, string key, string value, bool rewriteMaintained)
    {
        // The ledger's column families (docs/architecture.md).
        var families = new ColumnFamilies();
        foreach (var name in new[] { "blocks", "state", "metadata" })
        {
            families.Add(name, new ColumnFamilyOptions());
        }

        StateHash altered;
        using (var db = RocksDb.Open(new DbOptions(), checkpoint, families))
        {
            db.Put(BackupHarness.Bytes(key), BackupHarness.Bytes(value), db.GetColumnFamily("state"));
            using var iterator = db.NewIterator(db.GetColumnFamily("state"));
            var state = new List<KeyValuePair<byte[], byte[]>>();
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                state.Add(KeyValuePair.Create(iterator.Key(), iterator.Value()));
            }

            altered = StateHash.Of(state);
            if (rewriteMaintained)
            {
                db.Put("cairn.state_hash"u8.ToArray(), altered.ToBytes(), db.GetColumnFamily("metadata"));
            }
        }

        var metadataPath = Path.Combine(checkpoint, CheckpointMetadata.FileName);
        (CheckpointMetadata.Read(metadataPath) with { StateDigest = altered.Digest }).Write(metadataPath);
        CheckpointManifest.Create(checkpoint).Write(Path.Combine(checkpoint, CheckpointManifest.FileName));
        return altered.Digest;
    }
}
