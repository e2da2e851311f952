using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Backup.Tests;

public sealed class DiskSpaceTests
{
    [Fact]
    public async Task A_nearly_full_disk_skips_the_checkpoint_with_the_reason_in_status_log_and_metrics()
    {
        await using var h = new BackupHarness();
        h.Free.Available = _ => 1024;

        var outcomes = h.RunTo(20);

        outcomes[20].Should().Be(BoundaryOutcome.Skipped);
        h.CheckpointEntries().Should().BeEmpty();
        var status = h.Manager.Status;
        status.LastSkipReason.Should().Be(CheckpointSkipReason.LowDiskSpace);
        status.LastSkipAt.Should().Be(h.Time.GetUtcNow());
        status.Skips.Should().Be(1);
        h.Recorder.Sum("db_checkpoints_skipped", "reason", "LowDiskSpace").Should().Be(1);

        h.Free.Available = _ => long.MaxValue / 4;
        h.RunTo(40)
            .Should()
            .Equal(
                new Dictionary<ulong, BoundaryOutcome> { [40] = BoundaryOutcome.Taken },
                "a skip does not move the decision: the next checkpoint comes where every replica takes it"
            );
    }

    [Fact]
    public async Task The_guard_compares_free_space_with_threshold_times_the_rocksdb_size()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { DiskSpaceThreshold = 1.0 });
        h.RunTo(19);
        var dbBytes = Directory.EnumerateFiles(Path.Combine(h.Root, "rocksdbdata")).Sum(f => new FileInfo(f).Length);
        h.Free.Available = _ => dbBytes / 2;

        h.RunTo(20)[20].Should().Be(BoundaryOutcome.Skipped);

        h.Free.Available = _ => 3 * dbBytes;
        h.OrderCheckpoint();
        h.RunTo(30)[30].Should().Be(BoundaryOutcome.Taken);
    }

    [Fact]
    public async Task The_disk_monitor_removes_the_oldest_checkpoints_while_space_is_short()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 5 });
        await h.RunStableTo(80);
        h.Manager.List().Should().HaveCount(4);
        // Space is short until at most two checkpoints remain.
        h.Free.Available = _ =>
            h.CheckpointEntries().Count(e => !e.Contains('.', StringComparison.Ordinal)) <= 2 ? long.MaxValue / 4 : 0;

        var deleted = await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken);

        deleted.Select(c => c.Id.Value).Should().Equal(20UL, 40UL);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(60UL, 80UL);
        h.CheckpointEntries().Should().Equal("60", "80");
    }

    [Fact]
    public async Task The_disk_monitor_never_removes_the_newest_checkpoint_nor_a_pinned_one()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 5 });
        await h.RunStableTo(60);
        using var pin = h.Manager.Pin(new BlockId(20));
        h.Free.Available = _ => 0;

        var deleted = await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken);

        deleted.Select(c => c.Id.Value).Should().Equal(40UL);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(20UL, 60UL);
    }

    [Fact]
    public async Task With_enough_space_the_disk_monitor_removes_nothing()
    {
        await using var h = new BackupHarness();
        await h.RunStableTo(40);

        (await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken)).Should().BeEmpty();

        h.Manager.List().Should().HaveCount(2);
    }

    [Fact]
    public void The_real_free_space_is_read_from_the_nearest_existing_directory()
    {
        var free = FileSystemFreeSpace.Instance.AvailableBytes(Path.Combine(Path.GetTempPath(), "no", "such", "dir"));

        free.Should().BePositive();
    }

    [Fact]
    public async Task Bytes_held_only_by_checkpoints_are_exported()
    {
        await using var h = new BackupHarness();
        await h.RunStableTo(20);

        h.Recorder.Gauge("db_checkpoint_bytes_held")
            .Should()
            .BePositive("the copied MANIFEST, CURRENT and OPTIONS are the checkpoint's own");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        var age = h.Recorder.Gauge("db_checkpoint_newest_age_seconds");
        age.Should().Be((h.Time.GetUtcNow() - BackupHarness.TimeOf(20)).TotalSeconds);
        h.Manager.Status.NewestAge.Should().Be(h.Time.GetUtcNow() - BackupHarness.TimeOf(20));
    }

    [Fact]
    public async Task Disk_use_per_checkpoint_tells_its_own_bytes_from_those_shared_by_hard_links()
    {
        await using var h = new BackupHarness() { ValueSize = 20_000, FlushBeforeBoundaries = true };
        await h.RunStableTo(40);

        var usage = h.Manager.MeasureDiskUsage();

        usage.Select(u => u.Id.Value).Should().Equal(20UL, 40UL);
        usage
            .Should()
            .AllSatisfy(u =>
            {
                u.SizeBytes.Should().BeGreaterThan(400_000);
                u.ExclusiveBytes.Should()
                    .BeLessThan(u.SizeBytes / 2, "the SST files are links shared with the live database");
            });
    }

    [Fact]
    public async Task Free_space_that_cannot_be_read_fails_the_checkpoint_without_throwing_into_the_consensus_thread()
    {
        await using var h = new BackupHarness();
        h.Free.Available = path => throw new IOException($"{path}: statvfs failed");

        h.RunTo(20)[20].Should().Be(BoundaryOutcome.Failed);

        h.Manager.Status.LastFailure.Should().Contain("statvfs failed");
        h.Recorder.Sum("db_checkpoints_failed", "stage", "guard").Should().Be(1);
    }
}
