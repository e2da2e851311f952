using AwesomeAssertions;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

/// <summary>
/// An intermittent backup of a replica stopped at block 25, above its last stable checkpoint (20): no certificate
/// signs block 25, so the backup carries the certificate of the next one (30) and the blocks 26..30 that link the copy
/// to it. Verify, restore and reads take it as they take a DB checkpoint, and refuse it tampered with.
/// </summary>
public sealed class IntermittentBackupTests : IDisposable
{
    private const ulong Stopped = 25;
    private const ulong Certified = 30;
    private readonly TempDirectory _dir = new();

    private string Database => _dir.Sub("replica/rocksdbdata");

    private string Target => _dir.Sub("backup");

    private static ReplicaPublicKeys Keys => CheckpointFixture.Keys;

    [Fact]
    public void A_backup_above_the_last_stable_checkpoint_verifies_through_its_extension_and_restores_to_it()
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();

        var (manifest, metadata) = IntermittentBackup.Complete(copy, certificate, extension, 0, Keys);
        var verification = CheckpointVerifier.Verify(Target, Keys, requireManifest: true);

        verification.FirstFailure.Should().BeNull();
        verification.Checks.Should().OnlyContain(c => c.Passed == true);
        verification
            .Checks.Single(c => c.Name == CheckpointVerifier.MetadataCheck)
            .Detail.Should()
            .Contain("certified at seq 30 through 5 extension blocks to block 30");
        (metadata.LastBlockId, metadata.SeqNum).Should().Be((new BlockId(Stopped), new SeqNum(Stopped)));
        metadata.Certificate.Seq.Should().Be(new SeqNum(Certified));
        manifest.Files.Select(f => f.Path).Should().Contain([ChainExtension.FileName, CheckpointMetadata.FileName]);
        Directory.Exists(copy.StagingDirectory).Should().BeFalse("the staged copy was renamed into place");

        var restore = ReplicaRestore.Run(RestoreInto("restored"));
        restore.Checkpoint.SeqNum.Should().Be(new SeqNum(Certified), "the extension blocks are replayed");
        using var restored = RocksDbLedger.OpenReadOnly(restore.DatabaseDirectory);
        using var live = RocksDbLedger.OpenReadOnly(Database);
        restored.Head.Should().Be(live.Head);
        LedgerDigests.State(restored).Should().Be(live.StateDigest);
    }

    [Fact]
    public void A_tampered_extension_block_is_refused_by_verify_and_restore()
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();
        IntermittentBackup.Complete(copy, certificate, extension, 0, Keys);
        // Block 27 with another value: its digest changes, so block 28 no longer chains to it.
        var blocks = extension.Blocks.ToList();
        var forged = Block.Create(
            blocks[1].Id,
            blocks[1].PreviousDigest,
            new BlockProposal(blocks[1].SeqNum, blocks[1].Timestamp, [Put("k27", "forged")]),
            blocks[1].StateDigest
        );
        blocks[1] = forged;
        File.Delete(Path.Combine(Target, ChainExtension.FileName));
        new ChainExtension(blocks).Write(Path.Combine(Target, ChainExtension.FileName));
        RewriteManifest();

        var verification = CheckpointVerifier.Verify(Target, Keys, requireManifest: true);
        var restore = () => ReplicaRestore.Run(RestoreInto("restored"));

        verification.FirstFailure!.Name.Should().Be(CheckpointVerifier.StateCheck);
        var message = Refusal(verification);
        message.Should().StartWith(Target).And.NotContain("\n");
        message.Should().Contain($"extension block 28 (seq 28) does not follow block 27 (seq 27, digest {Hex(forged)}");
        restore.Should().Throw<DbCheckpointException>().WithMessage("*extension block 28 (seq 28) does not follow*");
        Directory.Exists(_dir.Sub("restored/rocksdbdata")).Should().BeFalse("a refused restore installs nothing");
    }

    [Fact]
    public void A_backup_whose_state_was_altered_is_refused_although_its_extension_is_intact()
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();
        var (_, metadata) = IntermittentBackup.Complete(copy, certificate, extension, 0, Keys);
        var forgedDigest = StateForgery.AlterValue(Target, "k3", "forged");

        var verification = CheckpointVerifier.Verify(Target, Keys, requireManifest: true);

        verification.FirstFailure!.Name.Should().Be(CheckpointVerifier.StateCheck);
        Refusal(verification)
            .Should()
            .Contain($"the state hashes to {forgedDigest.ToHex()}, the certified block 25 records ")
            .And.Contain(metadata.StateDigest.ToHex());
        using var reader = RocksDbLedger.OpenReadOnly(Target);
        var read = () =>
            CertifiedState.Check(
                reader,
                CheckpointMetadata.Read(Path.Combine(Target, CheckpointMetadata.FileName)),
                ChainExtension.ReadFrom(Target),
                Target
            );
        read.Should().Throw<DbCheckpointException>().WithMessage($"{Target}: state does not match its certificate*");
    }

    [Fact]
    public void A_backup_without_its_extension_or_its_certificate_is_refused()
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();
        IntermittentBackup.Complete(copy, certificate, extension, 0, Keys);
        File.Delete(Path.Combine(Target, ChainExtension.FileName));
        RewriteManifest();

        var noExtension = CheckpointVerifier.Verify(Target, Keys, requireManifest: true);
        File.Delete(Path.Combine(Target, CheckpointMetadata.FileName));
        RewriteManifest();
        var noCertificate = CheckpointVerifier.Verify(Target, Keys, requireManifest: true);

        noExtension.FirstFailure!.Name.Should().Be(CheckpointVerifier.StateCheck);
        Refusal(noExtension)
            .Should()
            .Contain("the certificate is for seq 30")
            .And.Contain($"the chain from block 25 ends at block 25 (seq 25")
            .And.Contain($"there is no {ChainExtension.FileName} leading to it");
        noCertificate.FirstFailure!.Name.Should().Be(CheckpointVerifier.MetadataCheck);
        Refusal(noCertificate).Should().Contain("checkpoint.json: no checkpoint metadata here");
    }

    [Theory]
    [InlineData(false, "state digest: *the chain from block 25 ends at block 29 (seq 29*")]
    [InlineData(true, "quorum certificate: 2 distinct valid signatures of 3 needed*")]
    public void A_backup_whose_certificate_does_not_cover_it_is_never_committed(bool tooFewSigners, string problem)
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();
        var (given, blocks) = tooFewSigners
            ? (certificate with { Signatures = [.. certificate.Signatures.Take(2)] }, extension)
            : (certificate, new ChainExtension([.. extension.Blocks.SkipLast(1)]));

        var complete = () => IntermittentBackup.Complete(copy, given, blocks, 0, Keys);

        complete
            .Should()
            .Throw<DbCheckpointException>()
            .WithMessage($"{Target}: backup failed, its certificate does not verify: {problem}")
            .Which.Message.Should()
            .NotContain("\n");
        Directory.Exists(Target).Should().BeFalse("the rename that commits a backup never happened");
        Directory.Exists(copy.StagingDirectory).Should().BeFalse("an uncommitted copy is removed");
    }

    [Fact]
    public void Fetched_blocks_are_checked_link_by_link_and_the_certificate_once_complete()
    {
        var (copy, extension, certificate) = CopyAtBlock25ThenRunTo30();
        var encoded = extension.Blocks.Select(b => b.Encoded.ToArray()).ToArray();
        var bytes = certificate.Encode();

        IntermittentBackup.FindFetchProblem(copy, Keys, bytes, encoded[..2], complete: false).Should().BeNull();
        IntermittentBackup.FindFetchProblem(copy, Keys, bytes, encoded, complete: true).Should().BeNull();
        IntermittentBackup
            .FindFetchProblem(copy, Keys, bytes, encoded[1..], complete: false)
            .Should()
            .StartWith("extension block 27 (seq 27) does not follow block 25");
        IntermittentBackup
            .FindFetchProblem(copy, Keys, bytes, encoded[..4], complete: true)
            .Should()
            .Contain("ends at block 29");
        var forgedSigner = certificate with
        {
            Signatures = [.. certificate.Signatures.Take(2), certificate.Signatures[0] with { Replica = new(3) }],
        };
        IntermittentBackup
            .FindFetchProblem(copy, Keys, forgedSigner.Encode(), encoded, complete: true)
            .Should()
            .Be("the certificate for seq 30 has fewer than 3 valid signatures");
        IntermittentBackup.FindFetchProblem(copy, Keys, [1, 2, 3], encoded, complete: true).Should().StartWith("not a");
    }

    /// <summary>A replica's ledger at block 25 (stable checkpoint 20 behind it), copied as a stopped replica's would
    /// be; then the cluster goes on to the boundary at 30, whose certificate and blocks 26..30 cover the
    /// copy.</summary>
    private (
        IntermittentCopy Copy,
        ChainExtension Extension,
        StableCheckpointCertificate Certificate
    ) CopyAtBlock25ThenRunTo30()
    {
        AppendUpTo(Stopped);
        var copy = IntermittentBackup.Copy(Database, null, Target);
        copy.OwnCertificate.Should().BeNull("block 25 is no checkpoint boundary");
        AppendUpTo(Certified);
        using var live = RocksDbLedger.OpenReadOnly(Database);
        var extension = new ChainExtension([.. live.ReadBlocks(new BlockId(Stopped + 1))]);
        return (copy, extension, Certificates.For(new SeqNum(Certified), live.Head.LastDigest));
    }

    private void AppendUpTo(ulong seq)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Database)!);
        using var ledger = RocksDbLedger.Open(Database, new LedgerOptions(BackupHarness.ChainId));
        for (var s = ledger.Head.LastSeqNum.Value + 1; s <= seq; s++)
        {
            ledger.Append(new BlockProposal(new SeqNum(s), BackupHarness.TimeOf(s), [Put($"k{s % 7}", $"v{s}")]));
        }

        ledger.Sync();
    }

    private RestoreRequest RestoreInto(string replica)
    {
        var data = _dir.Sub(replica);
        return new RestoreRequest
        {
            DataDirectory = data,
            DatabaseDirectory = Path.Combine(data, "rocksdbdata"),
            CheckpointsDirectory = Path.Combine(data, "rocksdbdata", "checkpoints"),
            Source = Target,
            Keys = Keys,
            ChainId = BackupHarness.ChainId,
        };
    }

    private void RewriteManifest() =>
        CheckpointManifest.Create(Target).Write(Path.Combine(Target, CheckpointManifest.FileName));

    private static string Refusal(CheckpointVerification verification) =>
        ((Action)verification.ThrowIfFailed).Should().Throw<DbCheckpointException>().Which.Message;

    private static string Hex(Block block) => block.Digest.ToHex()[..16];

    private static StateWrite Put(string key, string value) =>
        StateWrite.Put(BackupHarness.Bytes(key), BackupHarness.Bytes(value));

    public void Dispose() => _dir.Dispose();
}
