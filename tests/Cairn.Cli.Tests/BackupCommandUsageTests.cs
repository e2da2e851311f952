using AwesomeAssertions;

namespace Cairn.Cli.Tests;

/// <summary>Bad input to checkpoint, restore, backup and kv get --checkpoint: a clear one-line error, nothing
/// touched.</summary>
public sealed class BackupCommandUsageTests
{
    [Fact]
    public void Restore_needs_exactly_one_source()
    {
        var neither = CliRun.Of("restore", "--replica", "0", "--cluster", "/nonexistent");
        neither.ExitCode.Should().Be(2);
        neither.Error.Should().Contain("exactly one of --checkpoint ID and --from PATH");

        var both = CliRun.Of(
            "restore",
            "--replica",
            "0",
            "--cluster",
            "/nonexistent",
            "--checkpoint",
            "150",
            "--from",
            "/tmp/x"
        );
        both.ExitCode.Should().Be(2);
    }

    [Fact]
    public void Restore_into_a_missing_cluster_directory_is_refused_naming_it()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-missing-" + Guid.NewGuid().ToString("N"));

        var run = CliRun.Of("restore", "--replica", "0", "--cluster", dir, "--checkpoint", "150");

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain(dir).And.Contain("not a cluster directory").And.NotContain("   at ");
        Directory.Exists(dir).Should().BeFalse();
    }

    [Fact]
    public void Verify_needs_the_replicas_keys_and_an_existing_checkpoint()
    {
        var noKeys = CliRun.Of("checkpoint", "verify", "/tmp");
        noKeys.ExitCode.Should().Be(2);
        noKeys.Error.Should().Contain("--keys DIR or --cluster DIR");

        var keys = Directory.CreateTempSubdirectory("cairn-keys-");
        try
        {
            var noKeyFiles = CliRun.Of("checkpoint", "verify", "/nonexistent/150", "--keys", keys.FullName);
            noKeyFiles.ExitCode.Should().Be(1);
            noKeyFiles.Error.Should().Contain("no replica public keys");
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }

    [Fact]
    public void Kv_get_needs_a_cluster_or_a_checkpoint_and_names_a_missing_checkpoint()
    {
        CliRun.Of("kv", "get", "k").ExitCode.Should().Be(2);

        var missing = CliRun.Of("kv", "get", "k", "--checkpoint", "/nonexistent/checkpoint");
        missing.ExitCode.Should().Be(1);
        missing.Error.Should().Contain("/nonexistent/checkpoint");
    }

    [Fact]
    public void Checkpoint_list_takes_exactly_one_of_a_cluster_and_a_data_directory()
    {
        var neither = CliRun.Of("checkpoint", "list");
        neither.ExitCode.Should().Be(2);
        neither.Error.Should().Contain("exactly one of --cluster DIR, --config FILE and --data-dir DIR");

        CliRun.Of("checkpoint", "list", "--cluster", "/tmp", "--data-dir", "/tmp").ExitCode.Should().Be(2);
        CliRun
            .Of("checkpoint", "list", "--data-dir", "/tmp", "--replica", "1")
            .Error.Should()
            .Contain("--replica selects a replica of --cluster");
    }

    [Fact]
    public void Checkpoint_list_of_a_missing_or_foreign_data_directory_is_refused_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "cairn-missing-" + Guid.NewGuid().ToString("N"));
        var run = CliRun.Of("checkpoint", "list", "--data-dir", missing);
        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain(missing).And.Contain("no such directory").And.NotContain("   at ");

        var foreign = Directory.CreateTempSubdirectory("cairn-not-data-");
        try
        {
            Directory.CreateDirectory(Path.Combine(foreign.FullName, "rocksdbdata", "checkpoints"));
            var notData = CliRun.Of("checkpoint", "list", "--data-dir", foreign.FullName);
            notData.ExitCode.Should().Be(1);
            notData
                .Error.Should()
                .Contain(foreign.FullName)
                .And.Contain("not a replica's data directory")
                .And.NotContain("   at ");
        }
        finally
        {
            foreign.Delete(recursive: true);
        }
    }
}
