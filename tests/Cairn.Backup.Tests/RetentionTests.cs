using AwesomeAssertions;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

public sealed class RetentionTests
{
    [Fact]
    public async Task Retention_keeps_the_newest_N_and_deletes_the_oldest_first()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 2 });

        await h.RunStableTo(40);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(20UL, 40UL);

        await h.RunStableTo(60);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(40UL, 60UL);

        await h.RunStableTo(100);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(80UL, 100UL);
        h.CheckpointEntries().Should().Equal("100", "80");
        h.Manager.Status.Should()
            .Match<DbCheckpointStatus>(s =>
                s.Count == 2 && s.NewestId == new BlockId(100) && s.NewestSeq == new SeqNum(100)
            );
    }

    [Fact]
    public async Task A_pinned_checkpoint_survives_retention_until_its_reader_releases_it()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 1 });
        await h.RunStableTo(20);
        var pin = h.Manager.Pin(new BlockId(20));
        var reader = RocksDbLedger.OpenReadOnly(pin.Checkpoint.Directory);

        await h.RunStableTo(60);

        h.Manager.List().Select(c => c.Id.Value).Should().Equal(60UL);
        h.CheckpointEntries().Should().Equal("20", "60");
        ChainVerifier.Verify(reader).Head.LastSeqNum.Should().Be(new SeqNum(20), "the reader still reads it");
        var pinAgain = () => h.Manager.Pin(new BlockId(20));
        pinAgain.Should().Throw<DbCheckpointException>("a retired checkpoint is not handed to new readers");

        reader.Dispose();
        pin.Dispose();
        pin.Dispose(); // twice is harmless
        await h.Manager.WhenIdleAsync(TestContext.Current.CancellationToken);

        h.CheckpointEntries().Should().Equal("60");
    }

    [Fact]
    public async Task A_checkpoint_pinned_by_another_process_survives_retention_while_it_is_read_and_goes_after()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 1 });
        await h.RunStableTo(20);
        // What 'cairn checkpoint export' does in its own process: a pin file, locked, under the checkpoint directory.
        var pin = DbCheckpointFilePin.Acquire(h.CheckpointDir, new BlockId(20));
        var archive = Path.Combine(h.Root, "20.tar.gz");

        await h.RunStableTo(60);
        h.Manager.List().Select(c => c.Id.Value).Should().Equal(60UL);
        h.CheckpointEntries().Should().Equal("20", "60");
        CheckpointArchive.Export(pin.CheckpointDirectory, archive);
        using (var exported = CheckpointSource.Open(archive))
        {
            CheckpointVerifier
                .Verify(exported.Directory, CheckpointFixture.Keys, requireManifest: true)
                .Passed.Should()
                .BeTrue();
        }

        pin.Dispose();
        File.Exists(pin.PinFile).Should().BeFalse();
        await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken);
        h.CheckpointEntries().Should().Equal("60");

        var gone = () => DbCheckpointFilePin.Acquire(h.CheckpointDir, new BlockId(20));
        gone.Should().Throw<DbCheckpointException>().WithMessage("*20: no such checkpoint (have: 60)");
    }

    [Fact]
    public async Task A_live_replicas_checkpoint_opened_by_path_survives_retention_until_its_reader_is_done()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 1 });
        await h.RunStableTo(20);
        var path = Path.Combine(h.CheckpointDir, "20");
        // What 'cairn checkpoint verify PATH', 'inspect' and 'kv get --checkpoint' do in their own process.
        var reading = CheckpointSource.Open(path);

        await h.RunStableTo(60);
        h.CheckpointEntries().Should().Equal("20", "60");
        CheckpointVerifier
            .Verify(reading.Directory, CheckpointFixture.Keys, requireManifest: false)
            .Passed.Should()
            .BeTrue();

        reading.Dispose();
        await h.Manager.EnforceDiskSpaceAsync(TestContext.Current.CancellationToken);
        h.CheckpointEntries().Should().Equal("60");
        var retired = () => CheckpointSource.Open(path);
        retired.Should().Throw<DbCheckpointException>().WithMessage("*no such checkpoint*");
    }

    [Fact]
    public void A_copy_outside_a_replicas_checkpoint_directory_is_read_without_a_pin()
    {
        using var dir = new TempDirectory();
        var copy = Directory.CreateDirectory(Path.Combine(dir.Path, "1800")).FullName;

        using (CheckpointSource.Open(copy)) { }

        Directory.Exists(Path.Combine(dir.Path, DbCheckpointFilePin.DirectoryName)).Should().BeFalse();
    }

    [Fact]
    public async Task A_pin_file_left_by_a_dead_process_does_not_block_retention_and_is_removed()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 1 });
        await h.RunStableTo(20);
        var pins = Path.Combine(h.CheckpointDir, DbCheckpointFilePin.DirectoryName);
        Directory.CreateDirectory(pins);
        // Its process died: the file exists, nobody holds its lock.
        var stale = Path.Combine(pins, "20.999999.0123456789abcdef.pin");
        File.WriteAllBytes(stale, []);
        var live = DbCheckpointFilePin.Acquire(h.CheckpointDir, new BlockId(20));
        await h.RunStableTo(40);
        h.CheckpointEntries().Should().Equal(["20", "40"], "a live pin holds it");
        File.Exists(stale).Should().BeFalse("retention removed the dead process's pin when it looked");

        live.Dispose();
        await h.RunStableTo(60);

        h.CheckpointEntries().Should().Equal("60");
        Directory.GetFiles(pins).Select(Path.GetFileName).Should().Equal("lock");
    }

    [Fact]
    public async Task Two_pins_on_one_checkpoint_both_have_to_be_released()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 1 });
        await h.RunStableTo(20);
        var first = h.Manager.Pin(new BlockId(20));
        var second = h.Manager.Pin(new BlockId(20));
        await h.RunStableTo(40);

        first.Dispose();
        await h.Manager.WhenIdleAsync(TestContext.Current.CancellationToken);
        h.CheckpointEntries().Should().Contain("20");

        second.Dispose();
        await h.Manager.WhenIdleAsync(TestContext.Current.CancellationToken);
        h.CheckpointEntries().Should().Equal("40");
    }

    [Fact]
    public async Task Pinning_an_unknown_checkpoint_names_it_and_what_exists()
    {
        await using var h = new BackupHarness();
        await h.RunStableTo(20);

        var act = () => h.Manager.Pin(new BlockId(7));

        act.Should().Throw<DbCheckpointException>().WithMessage("*7: no such checkpoint (have: 20)");
    }
}
