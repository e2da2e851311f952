using AwesomeAssertions;

namespace Cairn.Cli.Tests;

public sealed class ClusterInitCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-cli-init-").FullName;

    private string ClusterDir => Path.Combine(_root, "cluster");

    [Fact]
    public void Init_writes_a_config_per_replica_and_the_operator_key()
    {
        var run = CliRun.Of("cluster", "init", "--dir", ClusterDir, "--replicas", "4");

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("Created a cluster of 4 replicas");
        Directory.GetFiles(ClusterDir, "deployment.config", SearchOption.AllDirectories).Should().HaveCount(4);
        File.Exists(Path.Combine(ClusterDir, "operator_priv.pem")).Should().BeTrue();
    }

    [Fact]
    public void Init_into_an_existing_cluster_fails_in_one_line_and_keeps_its_keys()
    {
        CliRun.Of("cluster", "init", "--dir", ClusterDir).ExitCode.Should().Be(0);
        var key = File.ReadAllText(Path.Combine(ClusterDir, "operator_priv.pem"));

        var run = CliRun.Of("cluster", "init", "--dir", ClusterDir);

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("is not empty").And.NotContain("   at ");
        run.Error.TrimEnd().Split('\n').Should().ContainSingle();
        File.ReadAllText(Path.Combine(ClusterDir, "operator_priv.pem")).Should().Be(key);
    }

    [Fact]
    public void A_replica_count_that_is_not_3f_plus_1_is_refused()
    {
        var run = CliRun.Of("cluster", "init", "--dir", ClusterDir, "--replicas", "5");

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("3f + 1");
        Directory.Exists(ClusterDir).Should().BeFalse();
    }

    [Fact]
    public void Init_with_hosts_writes_one_bundle_per_host_and_says_where_each_goes()
    {
        var run = CliRun.Of(
            "cluster",
            "init",
            "--dir",
            ClusterDir,
            "--hosts",
            "198.51.100.11:7100,198.51.100.12:7100,198.51.100.13,198.51.100.14",
            "--base-port",
            "7400"
        );

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should()
            .Contain("Created a cluster of 4 replicas")
            .And.Contain($"replica 2 (198.51.100.13:7402): copy {Path.Combine(ClusterDir, "bundles", "replica-2")}")
            .And.Contain($"operator: copy {Path.Combine(ClusterDir, "bundles", "operator")}");
        Directory.GetDirectories(ClusterDir).Should().Equal(Path.Combine(ClusterDir, "bundles"));
        Directory.GetFiles(ClusterDir, "deployment.config", SearchOption.AllDirectories).Should().HaveCount(4);
    }

    [Fact]
    public void A_bundle_alone_serves_the_host_side_commands()
    {
        CliRun.Of("cluster", "init", "--dir", ClusterDir, "--hosts", "a,b,c,d").ExitCode.Should().Be(0);
        var bundle = Path.Combine(ClusterDir, "bundles", "replica-1");

        var list = CliRun.Of("checkpoint", "list", "--cluster", bundle, "--json");

        list.ExitCode.Should().Be(0, list.Error);
        list.Output.Should().Contain("\"checkpoints\": []");
        var other = CliRun.Of("checkpoint", "list", "--cluster", bundle, "--replica", "2");
        other.ExitCode.Should().Be(1);
        other.Error.Should().Contain("no replica 2 in this cluster (have 1)");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
