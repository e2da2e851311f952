using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Backup.Tests;

public sealed class OnDemandAndFeatureTests
{
    private static readonly DbCheckpointSettings NeverPeriodic = BackupHarness.DefaultSettings with
    {
        Window = 1_000_000,
    };

    [Fact]
    public async Task An_operator_request_takes_a_checkpoint_at_the_next_boundary_only()
    {
        await using var h = new BackupHarness(NeverPeriodic);
        h.RunTo(15);

        h.OrderCheckpoint();
        var outcomes = h.RunTo(30);
        await h.StableAsync(20);

        outcomes.Should().Equal(new Dictionary<ulong, BoundaryOutcome> { [20] = BoundaryOutcome.Taken });
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(20UL);
    }

    [Fact]
    public async Task An_operator_request_starts_the_memtables_flushing_before_its_boundary()
    {
        // The blocks so far are in the memtables and the write-ahead log only; the flush runs in the background.
        await using var h = new BackupHarness(NeverPeriodic);
        h.RunTo(15);
        var before = TableFiles(h);

        h.Manager.PrepareForOrdered();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (TableFiles(h) == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        TableFiles(h).Should().BeGreaterThan(before);
    }

    [Fact]
    public async Task A_periodic_checkpoint_expected_at_the_next_boundary_starts_the_memtables_flushing_once()
    {
        // Every 10 seqs and more than 25 minutes of consensus time; the harness's blocks are a minute apart.
        await using var h = new BackupHarness(
            BackupHarness.DefaultSettings with
            {
                Window = 10,
                DurationSeconds = 25 * 60,
            }
        );
        h.RunTo(15);
        var last = h.Mark;
        last.Seq.Should().Be(new SeqNum(10), "the first checkpoint comes at the first boundary");
        var before = TableFiles(h);

        h.Manager.PrepareForBoundary(last, new SeqNum(20), BackupHarness.TimeOf(20)).Should().BeFalse("10 minutes on");
        h.Manager.PrepareForBoundary(last, new SeqNum(40), BackupHarness.TimeOf(40)).Should().BeTrue("30 minutes on");
        h.Manager.PrepareForBoundary(last, new SeqNum(50), BackupHarness.TimeOf(50)).Should().BeFalse("once per mark");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (TableFiles(h) == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        TableFiles(h).Should().BeGreaterThan(before);
    }

    private static int TableFiles(BackupHarness h) => Directory.GetFiles(h.Ledger.Location, "*.sst").Length;

    [Fact]
    public async Task Without_requests_and_with_the_policy_never_due_nothing_is_taken()
    {
        await using var h = new BackupHarness(NeverPeriodic);

        h.RunTo(100).Should().BeEmpty();

        h.CheckpointEntries().Should().BeEmpty();
    }

    [Fact]
    public async Task With_the_feature_off_the_manager_takes_nothing_ever()
    {
        await using var h = new BackupHarness(
            BackupHarness.DefaultSettings with
            {
                Enabled = false,
                Window = 1,
                DurationSeconds = 1,
            }
        );

        h.OrderCheckpoint();
        var outcomes = h.RunTo(100);
        h.Manager.OnStable(new SeqNum(100), h.Certify(100)).Should().BeFalse();
        (await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();
        await h.Manager.WhenIdleAsync(TestContext.Current.CancellationToken);

        outcomes.Should().HaveCount(10).And.Subject.Values.Should().AllBeEquivalentTo(BoundaryOutcome.Disabled);
        Directory.Exists(h.CheckpointDir).Should().BeFalse("nothing is created, not even the directory");
        h.Manager.Status.Enabled.Should().BeFalse();
        h.Manager.Status.Count.Should().Be(0);
    }

    [Fact]
    public async Task A_certificate_for_another_seq_is_a_caller_bug()
    {
        await using var h = new BackupHarness();
        h.RunTo(20);

        var act = () => h.Manager.OnStable(new SeqNum(10), h.Certify(20));

        act.Should().Throw<ArgumentException>().WithMessage("*for seq 20, not 10*");
    }
}
