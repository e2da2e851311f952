using AwesomeAssertions;
using Cairn.Ledger;
using Cairn.Node.Configuration;

namespace Cairn.Cli.Tests;

/// <summary><c>restore</c>, <c>checkpoint export</c>, <c>checkpoint list</c> and <c>backup</c> on a host that has only
/// one replica's <c>deployment.config</c> (<c>--config FILE</c>): exactly one of it and <c>--cluster DIR</c>, a bad
/// config refused in one line naming it, and a running replica refused.</summary>
public sealed class ReplicaConfigFormTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-cli-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Replica 1's deployment.config of a new (not started) cluster.</summary>
    private string ReplicaConfig()
    {
        var dir = Path.Combine(_root, "cluster");
        CliRun.Of("cluster", "init", "--dir", dir).ExitCode.Should().Be(0);
        return Path.Combine(dir, "replica-1", "deployment.config");
    }

    public static TheoryData<string> CommandsWithBothForms() =>
        ["restore --checkpoint 150", "checkpoint export --id 150 --to /tmp/x.tar.gz", "backup --to /tmp/x"];

    [Theory]
    [MemberData(nameof(CommandsWithBothForms))]
    public void Exactly_one_of_a_cluster_directory_and_a_replica_config_is_taken(string command)
    {
        string[] args = command.Split(' ');

        var neither = CliRun.Of(args);
        var both = CliRun.Of([.. args, "--cluster", "/tmp", "--replica", "1", "--config", "/tmp/deployment.config"]);
        var noReplica = CliRun.Of([.. args, "--cluster", "/tmp"]);
        var replicaOfAConfig = CliRun.Of([.. args, "--config", "/tmp/deployment.config", "--replica", "1"]);

        neither.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        neither.Error.Should().StartWith("error: give exactly one of --cluster DIR and --config FILE\n");
        both.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        both.Error.Should().StartWith("error: give exactly one of --cluster DIR and --config FILE\n");
        noReplica.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        noReplica.Error.Should().StartWith("error: --cluster DIR needs --replica N");
        replicaOfAConfig.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        replicaOfAConfig.Error.Should().StartWith("error: --replica selects a replica of --cluster DIR");
    }

    [Fact]
    public void Checkpoint_list_takes_one_of_a_cluster_a_config_and_a_data_directory()
    {
        var two = CliRun.Of("checkpoint", "list", "--config", "/tmp/deployment.config", "--data-dir", "/tmp");

        two.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        two.Error.Should().StartWith("error: give exactly one of --cluster DIR, --config FILE and --data-dir DIR\n");
        CliRun
            .Of("checkpoint", "list", "--cluster", "/tmp")
            .Error.Should()
            .NotContain("--replica", "without --replica, every replica of the cluster is listed");
    }

    [Theory]
    [MemberData(nameof(CommandsWithBothForms))]
    [InlineData("checkpoint list")]
    public void A_missing_or_invalid_config_is_refused_in_one_line_naming_it(string command)
    {
        var missing = Path.Combine(_root, "no-such.config");
        var invalid = Path.Combine(_root, "invalid.config");
        File.WriteAllText(invalid, "replica_id: 0\nf_val: one\n");

        var runs = new[] { missing, invalid }.Select(config => CliRun.Of([.. command.Split(' '), "--config", config]));

        runs.Should()
            .SatisfyRespectively(
                m =>
                    m.Error.Should()
                        .Be($"error: {missing}: cannot read the config file (Could not find file '{missing}'.)\n"),
                i => i.Error.Should().StartWith($"error: {invalid}:").And.Contain("f_val").And.NotContain("   at ")
            );
        runs.Should().AllSatisfy(r => r.ExitCode.Should().Be(CommandLineRunner.FailureExitCode));
    }

    [Fact]
    public void A_replicas_own_checkpoints_are_listed_from_its_config()
    {
        var config = ReplicaConfig();

        var list = CliRun.Of("checkpoint", "list", "--config", config);
        var export = CliRun.Of(
            "checkpoint",
            "export",
            "--config",
            config,
            "--id",
            "150",
            "--to",
            Path.Combine(_root, "a")
        );

        list.ExitCode.Should().Be(0, list.Error);
        list.Output.Should().Contain("no checkpoints on disk");
        export.ExitCode.Should().Be(CommandLineRunner.FailureExitCode);
        export
            .Error.Should()
            .Contain(Path.Combine(DeploymentConfigLoader.Load(config).DbCheckpoints.Path, "150"))
            .And.NotContain("   at ");
    }

    [Fact]
    public void A_restore_is_refused_while_the_replicas_database_is_open()
    {
        var config = DeploymentConfigLoader.Load(ReplicaConfig());

        CliRun run;
        using (RocksDbLedger.Open(config.RocksDbPath, new LedgerOptions(config.ChainId)))
        {
            run = CliRun.Of("restore", "--config", config.SourcePath, "--from", Path.Combine(_root, "checkpoint"));
        }

        run.ExitCode.Should().Be(CommandLineRunner.FailureExitCode);
        run.Error.Should()
            .Be(
                $"error: {config.RocksDbPath}: replica 1 is running (its database is open); stop it first (its "
                    + "service, e.g. 'systemctl stop cairn-replica')\n"
            );
    }

    [Fact]
    public void A_backup_of_a_running_replica_is_refused_and_says_whether_the_others_form_a_quorum()
    {
        var path = ReplicaConfig();
        var checkpointMode = CliRun.Of("backup", "--config", path, "--to", Path.Combine(_root, "b"));
        File.WriteAllText(
            path,
            File.ReadAllText(path)
                .Replace("backup_mode: checkpoint", "backup_mode: intermittent", StringComparison.Ordinal)
                .Replace("FEATURE_db_checkpoints: true", "FEATURE_db_checkpoints: false", StringComparison.Ordinal)
        );
        var config = DeploymentConfigLoader.Load(path);

        CliRun running;
        using (RocksDbLedger.Open(config.RocksDbPath, new LedgerOptions(config.ChainId)))
        {
            // No other replica runs: stopping this one would stop the cluster.
            running = CliRun.Of("backup", "--config", path, "--to", Path.Combine(_root, "b"), "--key", "/tmp/k");
        }

        checkpointMode.ExitCode.Should().Be(CommandLineRunner.FailureExitCode);
        checkpointMode.Error.Should().Contain("backup_mode is 'checkpoint'");
        running.ExitCode.Should().Be(CommandLineRunner.FailureExitCode);
        running
            .Error.Should()
            .StartWith(
                "error: stopping replica 1 for its backup would leave 0 healthy replicas, fewer than the 3 the cluster "
                    + "needs to commit (not healthy: 0, 2, 3)"
            );
        Directory.Exists(Path.Combine(_root, "b")).Should().BeFalse();
        Directory.Exists(Path.Combine(_root, "b.tmp")).Should().BeFalse();
    }

    [Fact]
    public void The_operator_key_goes_with_a_replica_config_only()
    {
        var run = CliRun.Of("backup", "--cluster", "/tmp", "--replica", "1", "--to", "/tmp/x", "--key", "/tmp/k");

        run.ExitCode.Should().Be(CommandLineRunner.UsageExitCode);
        run.Error.Should().StartWith("error: --key goes with --config FILE");
    }
}
