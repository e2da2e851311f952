using System.Diagnostics;
using System.Globalization;
using AwesomeAssertions;
using Cairn.Ledger;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Tests;

/// <summary>A replica as a systemd service: the shipped unit's command line is one the CLI accepts, and a real replica
/// process sent SIGTERM exits with the documented code, having logged for the journal, and leaves its database
/// openable.</summary>
public sealed class ReplicaServiceTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-service-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_unit_file_runs_a_replica_command_line_the_cli_accepts_and_restarts_only_on_runtime_failures()
    {
        var service = UnitSection(File.ReadAllLines(RepositoryFiles.PathOf("deploy/cairn-replica.service")), "Service");

        var execStart = service["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Path.GetFileName(execStart[0]).Should().Be("cairn");
        var parse = CairnCommandLine
            .Create(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }))
            .Parse(execStart[1..]);
        parse.Errors.Should().BeEmpty();
        parse.CommandResult.Command.Name.Should().Be("replica");

        service["KillSignal"].Should().Be("SIGTERM");
        service["Restart"].Should().Be("on-failure");
        int.Parse(service["TimeoutStopSec"], CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
        service["RestartPreventExitStatus"]
            .Split(' ')
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture))
            .Should()
            .BeEquivalentTo([CommandLineRunner.FailureExitCode, CommandLineRunner.UsageExitCode])
            .And.NotContain(CommandLineRunner.ReplicaFailedExitCode);
    }

    [Fact]
    public void The_unit_file_starts_the_replica_with_the_environment_cluster_up_gives_it()
    {
        var environment = UnitEntries(
                File.ReadAllLines(RepositoryFiles.PathOf("deploy/cairn-replica.service")),
                "Service"
            )
            .Where(e => e.Key == "Environment")
            .Select(e => e.Value.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

        environment.Should().Contain(ReplicaEnvironment.Variables);
    }

    [Fact]
    public async Task A_replica_sent_SIGTERM_exits_0_after_logging_for_the_journal_and_leaves_its_database_openable()
    {
        var layout = ClusterInitializer.Initialize(
            new ClusterInitOptions(Path.Combine(_root, "cluster"), Replicas: 4, BasePort: BasePort())
        );
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "cairn.dll"),
                "replica",
                "--config",
                layout.ReplicaConfig(0),
            }
        )
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[ReplicaLogging.JournalStreamVariable] = "8:4242";
        using var replica = Process.Start(start)!;
        var lines = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        replica.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.Contains("replica 0 started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        var error = replica.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        replica.BeginOutputReadLine();
        try
        {
            await started.Task.WaitAsync(ProcessTimeout, TestContext.Current.CancellationToken);
            using (var kill = Process.Start("kill", ["-TERM", replica.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            await replica
                .WaitForExitAsync(TestContext.Current.CancellationToken)
                .WaitAsync(ProcessTimeout, TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!replica.HasExited)
            {
                replica.Kill(entireProcessTree: true);
            }
        }

        replica.WaitForExit();
        replica.ExitCode.Should().Be(0, await error);
        lock (lines)
        {
            lines
                .Should()
                .Contain(l =>
                    l.StartsWith("<6>", StringComparison.Ordinal)
                    && l.Contains("replica 0 started", StringComparison.Ordinal)
                )
                .And.Contain(l =>
                    l.StartsWith("<6>", StringComparison.Ordinal)
                    && l.Contains("replica stopping", StringComparison.Ordinal)
                )
                .And.AllSatisfy(l =>
                    l.Should().MatchRegex(@"^<[0-7]>", "every line is one event with its syslog priority")
                );
        }

        var config = DeploymentConfigLoader.Load(layout.ReplicaConfig(0));
        using var ledger = RocksDbLedger.Open(config.RocksDbPath, new LedgerOptions(config.ChainId, Durability.Synced));
        ledger.Head.LastBlockId.Value.Should().Be(0);
    }

    private static int BasePort() =>
        7790
        + (
            int.TryParse(
                Environment.GetEnvironmentVariable("CAIRN_TEST_PORT_OFFSET"),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var offset
            )
                ? offset
                : 0
        );

    // A key given more than once: the last value, as systemd reads a single-valued setting.
    private static Dictionary<string, string> UnitSection(string[] lines, string section) =>
        UnitEntries(lines, section).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    /// <summary>The key=value lines of one section of a unit file, in order; a key may repeat
    /// (<c>Environment</c>).</summary>
    private static List<KeyValuePair<string, string>> UnitEntries(string[] lines, string section)
    {
        var entries = new List<KeyValuePair<string, string>>();
        var current = "";
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            if (line.StartsWith('['))
            {
                current = line.Trim('[', ']');
            }
            else if (current == section)
            {
                var parts = line.Split('=', 2);
                entries.Add(new KeyValuePair<string, string>(parts[0], parts[1]));
            }
        }

        return entries;
    }
}
