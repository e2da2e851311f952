using AwesomeAssertions;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

public sealed class CreationTests
{
    [Fact]
    public async Task A_due_boundary_is_taken_then_completed_when_stable_with_valid_metadata_and_certificate()
    {
        await using var h = new BackupHarness { Epoch = 3 };

        var outcomes = h.RunTo(20);
        var stateAt20 = LedgerDigests.State(h.Ledger);

        outcomes.Should().Equal(new Dictionary<ulong, BoundaryOutcome> { [20] = BoundaryOutcome.Taken });
        h.CheckpointEntries().Should().Equal("20.tmp");
        h.Manager.List().Should().BeEmpty("a checkpoint is never listed before it is complete");
        h.Manager.Status.InFlight.Should().Equal(new DbCheckpointInFlight(new SeqNum(20), DbCheckpointState.Taken));

        (await h.StableAsync(20)).Should().BeTrue();

        h.Manager.Status.InFlight.Should().BeEmpty();
        h.CheckpointEntries().Should().Equal("20");
        var checkpoint = h.Manager.List().Should().ContainSingle().Subject;
        checkpoint.Directory.Should().Be(Path.Combine(h.CheckpointDir, "20"));
        var onDisk = CheckpointMetadata.Read(Path.Combine(checkpoint.Directory, CheckpointMetadata.FileName));
        (onDisk with { Certificate = checkpoint.Metadata.Certificate }).Should().Be(checkpoint.Metadata);
        onDisk.Certificate.Encode().Should().Equal(h.Certify(20).Encode());
        onDisk.Id.Should().Be(new BlockId(20));
        onDisk.SeqNum.Should().Be(new SeqNum(20));
        onDisk.LastBlockId.Should().Be(new BlockId(20));
        onDisk.LastBlockDigest.Should().Be(h.Ledger.GetBlock(new BlockId(20))!.Digest);
        onDisk.StateDigest.Should().Be(stateAt20);
        onDisk.CreatedAt.Should().Be(BackupHarness.TimeOf(20));
        onDisk.ChainId.Should().Be(BackupHarness.ChainId);
        onDisk.Epoch.Should().Be(3, "a checkpoint records the epoch its boundary was executed in");
        onDisk.SizeBytes.Should().BePositive();
        onDisk.ExclusiveBytes.Should().BeInRange(0, onDisk.SizeBytes);
        onDisk.Certificate.Verify(Certificates.ReplicaKeys, Certificates.F).Should().BeTrue();
        onDisk.Certificate.Signers.Select(s => s.Value).Should().Equal(0, 1, 2);

        using var reader = RocksDbLedger.OpenReadOnly(checkpoint.Directory);
        ChainVerifier.Verify(reader).Head.LastSeqNum.Should().Be(new SeqNum(20));
        LedgerDigests.State(reader).Should().Be(stateAt20);
        h.Recorder.Sum("db_checkpoints_created").Should().Be(1);
        h.Recorder.Count("db_checkpoint_create_seconds").Should().Be(1);
        h.Recorder.Gauge("db_checkpoints").Should().Be(1);
        h.Recorder.Gauge("db_checkpoint_last_id").Should().Be(20);
    }

    [Fact]
    public async Task The_metadata_json_is_camel_case_with_hex_digests_and_a_base64_certificate()
    {
        await using var h = new BackupHarness();
        h.RunTo(20);
        await h.StableAsync(20);

        var json = System
            .Text.Json.JsonDocument.Parse(
                File.ReadAllBytes(Path.Combine(h.CheckpointDir, "20", CheckpointMetadata.FileName))
            )
            .RootElement;

        json.EnumerateObject()
            .Select(p => p.Name)
            .Should()
            .BeEquivalentTo(
                "formatVersion",
                "id",
                "seqNum",
                "lastBlockId",
                "lastBlockDigest",
                "stateDigest",
                "createdAt",
                "sizeBytes",
                "exclusiveBytes",
                "certificate",
                "signers",
                "chainId",
                "epoch"
            );
        json.GetProperty("stateDigest").GetString().Should().MatchRegex("^[0-9a-f]{64}$");
        json.GetProperty("createdAt").GetString().Should().Be("2026-01-01T00:20:00.0000000+00:00");
        Convert.FromBase64String(json.GetProperty("certificate").GetString()!).Should().Equal(h.Certify(20).Encode());
    }

    [Fact]
    public async Task Blocks_appended_after_the_boundary_are_not_in_the_checkpoint()
    {
        await using var h = new BackupHarness();
        h.RunTo(20);
        var stateAt20 = LedgerDigests.State(h.Ledger);

        h.RunTo(27); // the replica executes on before 20 becomes stable
        await h.StableAsync(20);

        using var reader = RocksDbLedger.OpenReadOnly(h.Manager.List().Single().Directory);
        reader.Head.LastSeqNum.Should().Be(new SeqNum(20));
        reader.GetBlock(new BlockId(21)).Should().BeNull();
        reader.GetValue(BackupHarness.Bytes("key-21")).Should().BeNull();
        reader.GetValue(BackupHarness.Bytes("last")).Should().Equal(BackupHarness.Bytes("20"));
        h.Manager.List().Single().Metadata.StateDigest.Should().Be(stateAt20);
        h.Ledger.GetValue(BackupHarness.Bytes("last")).Should().Equal(BackupHarness.Bytes("27"));
    }

    [Fact]
    public async Task Two_replicas_with_the_same_blocks_checkpoint_the_same_id_and_digests()
    {
        await using var a = new BackupHarness();
        await using var b = new BackupHarness();

        await a.RunStableTo(40);
        b.RunTo(40); // b's stable certificates arrive late, together
        await b.StableAsync(20);
        await b.StableAsync(40);

        var left = a.Manager.List().Select(c => c.Metadata).ToList();
        var right = b.Manager.List().Select(c => c.Metadata).ToList();
        left.Select(m => m.Id).Should().Equal(new BlockId(20), new BlockId(40));
        right.Select(m => m.Id).Should().Equal(left.Select(m => m.Id));
        right.Select(m => m.SeqNum).Should().Equal(left.Select(m => m.SeqNum));
        right.Select(m => m.LastBlockDigest).Should().Equal(left.Select(m => m.LastBlockDigest));
        right.Select(m => m.StateDigest).Should().Equal(left.Select(m => m.StateDigest));
        right.Select(m => m.CreatedAt).Should().Equal(left.Select(m => m.CreatedAt));
        a.CheckpointEntries().Should().Equal(b.CheckpointEntries());
    }

    [Fact]
    public async Task A_later_stable_seq_discards_an_earlier_checkpoint_that_never_became_stable()
    {
        await using var h = new BackupHarness();

        var outcomes = h.RunTo(40);
        await h.StableAsync(40);

        outcomes[20].Should().Be(BoundaryOutcome.Taken);
        outcomes[40].Should().Be(BoundaryOutcome.Taken);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(40UL);
        h.CheckpointEntries().Should().Equal("40");
    }

    [Fact]
    public async Task A_certificate_that_does_not_match_the_checkpoint_fails_it_and_the_policy_tries_again()
    {
        await using var h = new BackupHarness();
        h.RunTo(20);

        h.Manager.OnStable(new SeqNum(20), Certificates.For(new SeqNum(20), Digest.Compute("another history"u8)))
            .Should()
            .BeTrue();
        await h.Manager.WhenIdleAsync(TestContext.Current.CancellationToken);

        h.Manager.List().Should().BeEmpty();
        h.CheckpointEntries().Should().BeEmpty("the failed checkpoint is removed");
        h.Manager.Status.Failures.Should().Be(1);
        h.Manager.Status.LastFailure.Should().Contain("certificate of seq 20 certifies");
        h.Recorder.Sum("db_checkpoints_failed", "stage", "finalise").Should().Be(1);
        h.Mark.Seq.Should().Be(new SeqNum(20), "the decision stands in the replicated state");
        h.RunTo(40)
            .Should()
            .Equal(
                new Dictionary<ulong, BoundaryOutcome> { [40] = BoundaryOutcome.Taken },
                "the next checkpoint comes where every other replica takes it, not earlier"
            );
    }

    [Fact]
    public async Task A_stable_seq_without_a_checkpoint_taken_does_nothing()
    {
        await using var h = new BackupHarness();
        h.RunTo(10);

        (await h.StableAsync(10)).Should().BeFalse();

        h.CheckpointEntries().Should().BeEmpty();
    }

    [Fact]
    public async Task A_boundary_executed_again_after_its_checkpoint_exists_is_skipped()
    {
        await using var h = new BackupHarness();
        h.RunTo(20);
        await h.StableAsync(20);

        h.Manager.TakeAtBoundary(new SeqNum(20), BackupHarness.TimeOf(20), epoch: 0, ordered: true)
            .Should()
            .Be(BoundaryOutcome.Skipped);

        h.Manager.Status.LastSkipReason.Should().Be(CheckpointSkipReason.AlreadyExists);
    }

    [Fact]
    public async Task A_call_that_is_not_right_after_the_boundary_block_fails_without_a_checkpoint()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { Window = 1000 });
        h.RunTo(21);

        h.Manager.TakeAtBoundary(new SeqNum(20), BackupHarness.TimeOf(20), epoch: 0, ordered: true)
            .Should()
            .Be(BoundaryOutcome.Failed);

        h.CheckpointEntries().Should().BeEmpty();
        h.Manager.Status.LastFailure.Should().Contain("not the boundary 20");
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_fails_is_counted_and_the_ledger_goes_on()
    {
        await using var h = new BackupHarness();
        Directory.Delete(h.CheckpointDir, recursive: true); // it holds .pins
        File.WriteAllText(h.CheckpointDir, "an operator's mistake");

        var outcomes = h.RunTo(25);

        outcomes[20].Should().Be(BoundaryOutcome.Failed);
        h.Ledger.Head.LastSeqNum.Should().Be(new SeqNum(25));
        h.Manager.Status.Failures.Should().Be(1);
        h.Recorder.Sum("db_checkpoints_failed", "stage", "take").Should().Be(1);

        File.Delete(h.CheckpointDir);
        h.RunTo(40)
            .Should()
            .Equal(
                new Dictionary<ulong, BoundaryOutcome> { [40] = BoundaryOutcome.Taken },
                "the directory is created again, at the next boundary every replica takes"
            );
        await h.StableAsync(40);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(40UL);
    }
}
