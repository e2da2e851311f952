using AwesomeAssertions;
using Cairn.Ledger;

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
        var forgedDigest = StateForgery.AlterValue(forged, "key-7", "forged", maintainedHashRewritten);

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
                    ChainExtension.Empty,
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
        CertifiedState.FindMismatch(reader, f.Metadata, ChainExtension.Empty).Should().BeNull();
    }
}
