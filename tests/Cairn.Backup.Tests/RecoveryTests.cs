using AwesomeAssertions;
using Cairn.Core;

namespace Cairn.Backup.Tests;

public sealed class RecoveryTests
{
    [Fact]
    public async Task Start_deletes_interrupted_checkpoints_and_lists_only_those_with_valid_metadata()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 5 });
        await h.RunStableTo(40);
        h.RunTo(60); // 60 taken, never stable: left as 60.tmp by the "crash"
        await h.Manager.DisposeAsync();
        var dir = h.CheckpointDir;
        Directory.CreateDirectory(Path.Combine(dir, "70")); // no checkpoint.json: never committed
        File.WriteAllText(Path.Combine(dir, "70", "CURRENT"), "MANIFEST-000001\n");
        CopyDirectory(Path.Combine(dir, "40"), Path.Combine(dir, "80"));
        File.WriteAllText(Path.Combine(dir, "80", CheckpointMetadata.FileName), "{ \"id\": 80 "); // torn metadata
        CopyDirectory(Path.Combine(dir, "40"), Path.Combine(dir, "90")); // metadata says 40: a copy, not checkpoint 90
        CopyDirectory(Path.Combine(dir, "20"), Path.Combine(dir, "30.deleting")); // interrupted retention delete
        File.WriteAllText(Path.Combine(dir, "operator-notes.txt"), "mine");

        await h.RestartAsync();

        h.Manager.List().Select(c => c.Id.Value).Should().Equal(20UL, 40UL);
        h.CheckpointEntries().Should().Equal("20", "40", "80", "90", "operator-notes.txt");
    }

    [Fact]
    public async Task The_directory_scan_that_start_and_checkpoint_list_share_classifies_every_entry()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 5 });
        await h.RunStableTo(20);
        h.RunTo(40); // 40 taken, never stable: left as 40.tmp
        await h.Manager.DisposeAsync();
        var dir = h.CheckpointDir;
        Directory.CreateDirectory(Path.Combine(dir, "70"));
        CopyDirectory(Path.Combine(dir, "20"), Path.Combine(dir, "90"));
        CopyDirectory(Path.Combine(dir, "20"), Path.Combine(dir, "020"));
        Directory.CreateDirectory(Path.Combine(dir, ".hidden"));

        var entries = DbCheckpointDirectory.Scan(dir, BackupHarness.ChainId);

        entries
            .Select(e => (Path.GetFileName(e.Directory), e.Kind))
            .Should()
            .Equal(
                ("20", DbCheckpointEntryKind.Complete),
                ("70", DbCheckpointEntryKind.Interrupted),
                ("90", DbCheckpointEntryKind.Unreadable),
                ("020", DbCheckpointEntryKind.Foreign),
                ("40.tmp", DbCheckpointEntryKind.Interrupted)
            );
        entries[2].Problem.Should().Contain("describes checkpoint 20, not 90");
        DbCheckpointDirectory.Scan(dir, "another-chain")[0].Kind.Should().Be(DbCheckpointEntryKind.Unreadable);
        DbCheckpointDirectory.Scan(Path.Combine(dir, "absent"), null).Should().BeEmpty();
    }

    [Fact]
    public async Task Checkpoints_are_ordered_by_sequence_number_not_by_directory_name()
    {
        await using var h = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 5 });
        await h.RunStableTo(100);

        await h.RestartAsync();

        h.Manager.List().Select(c => c.Id.Value).Should().Equal(20UL, 40UL, 60UL, 80UL, 100UL);
        h.Manager.Status.NewestId.Should().Be(new BlockId(100), "\"100\" sorts before \"20\" as text");
    }

    [Fact]
    public async Task Retention_applies_at_start_when_the_limit_was_lowered()
    {
        var root = new TempDirectory();
        try
        {
            await using (
                var before = new BackupHarness(BackupHarness.DefaultSettings with { MaxCheckpoints = 3 }, root.Path)
            )
            {
                await before.RunStableTo(60);
            }

            await using var after = new BackupHarness(
                BackupHarness.DefaultSettings with
                {
                    MaxCheckpoints = 1,
                },
                root.Path
            );

            after.Manager.List().Select(c => c.Id.Value).Should().Equal(60UL);
            after.CheckpointEntries().Should().Equal("60");
        }
        finally
        {
            root.Dispose();
        }
    }

    [Fact]
    public async Task A_checkpoint_path_that_is_a_file_fails_at_start_naming_the_key()
    {
        using var root = new TempDirectory();
        File.WriteAllText(root.Sub("checkpoints"), "not a directory");

        var act = async () => await new BackupHarness(root: root.Path).DisposeAsync();

        (await act.Should().ThrowAsync<DbCheckpointException>()).WithMessage(
            "*checkpoints: db_checkpoint_path is a file*"
        );
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [Fact]
    public async Task A_shutdown_before_a_queued_finalisation_leaves_only_a_tmp_that_the_next_start_removes()
    {
        await using var h = new BackupHarness();
        await h.RunStableTo(20);
        h.RunTo(40);

        h.Manager.OnStable(new SeqNum(40), h.Certify(40));
        await h.RestartAsync();

        h.Manager.List().Select(c => c.Id.Value).Should().BeSubsetOf([20UL, 40UL]).And.Contain(20UL);
        h.CheckpointEntries().Should().NotContain(e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
