using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.IntegrationTests;

/// <summary>A cluster laid out on four hosts — network namespaces with their own addresses, joined by a bridge — each
/// replica run from its own bundle, the operator on a fifth host: the commands of docs/operator-guide.md ("Deploy on
/// several hosts"), as an operator runs them.</summary>
public sealed class MultiHostTests
{
    private const int Replicas = 4;
    private const int OperatorHost = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_on_separate_hosts_commit_and_one_restored_from_a_peers_archive_catches_up()
    {
        var unavailable = NetworkNamespaces.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? "");
        var root = Directory.CreateTempSubdirectory("cairn-hosts-").FullName;
        var replicas = new Process?[Replicas];
        var network = NetworkNamespaces.Create(Replicas + 1);
        try
        {
            var hosts = string.Join(
                ",",
                Enumerable.Range(0, Replicas).Select(i => NetworkNamespaces.Address(i) + ":7100")
            );
            var init = await CairnProcess.RunAsync(
                "cluster",
                "init",
                "--dir",
                Path.Combine(root, "cluster"),
                "--hosts",
                hosts
            );
            init.ExitCode.Should().Be(0, init.Error);

            // Each host receives its bundle and nothing else.
            var bundles = Path.Combine(root, "cluster", "bundles");
            for (var i = 0; i < Replicas; i++)
            {
                CopyDirectory(Path.Combine(bundles, $"replica-{i}"), HostDirectory(root, i));
            }

            var operatorBundle = Path.Combine(root, "host-4", "operator");
            var clientBundle = Path.Combine(root, "host-4", "client");
            CopyDirectory(Path.Combine(bundles, "operator"), operatorBundle);
            CopyDirectory(Path.Combine(bundles, "client"), clientBundle);
            Directory.Delete(Path.Combine(root, "cluster"), recursive: true);
            var timeout = new Dictionary<string, string>
            {
                ["request_timeout_millisec"] = ((int)TestCluster.Patience.TotalMilliseconds).ToString(
                    CultureInfo.InvariantCulture
                ),
            };
            TestCluster.ChangeConfig(Path.Combine(operatorBundle, "operator.config"), timeout);
            TestCluster.ChangeConfig(Path.Combine(clientBundle, "client.config"), timeout);

            for (var i = 0; i < Replicas; i++)
            {
                replicas[i] = StartReplica(network, root, i);
            }

            await LoadAsync(network, clientBundle);
            var create = await OnAsync(
                network,
                OperatorHost,
                "op",
                "dbCheckpoint",
                "create",
                "--cluster",
                operatorBundle,
                "--json"
            );
            create.ExitCode.Should().Be(0, create.Error);
            var id = CreatedCheckpoint.Id(create.Output);

            await Eventually.TrueAsync(
                async () =>
                {
                    var status = await OnAsync(
                        network,
                        OperatorHost,
                        "op",
                        "dbCheckpoint",
                        "status",
                        "--cluster",
                        operatorBundle,
                        "--json"
                    );
                    using var listed = JsonDocument.Parse(status.Output);
                    return listed
                            .RootElement.GetProperty("replicas")
                            .EnumerateArray()
                            .Count(r =>
                                r.GetProperty("checkpoints").ValueKind == JsonValueKind.Array
                                && r.GetProperty("checkpoints")
                                    .EnumerateArray()
                                    .Any(c => c.GetProperty("id").GetUInt64() == id)
                            ) == Replicas;
                },
                $"every replica listing checkpoint {id} in 'op dbCheckpoint status'"
            );

            // Replica 3's host fails and loses its data; replica 0's host exports the checkpoint, the archive is copied
            // over. A running replica is refused first: it was started by no 'cluster up', but its database is open.
            Task<CairnProcess> RestoreOnHost3Async(params string[] source) =>
                OnAsync(network, 3, ["restore", "--cluster", HostDirectory(root, 3), "--replica", "3", .. source]);
            var refused = await RestoreOnHost3Async("--checkpoint", $"{id}");
            refused.Error.Should().Contain("replica 3 is running");
            await KillAsync(replicas[3]!);
            replicas[3]!.Dispose();
            replicas[3] = null;
            Directory.Delete(Path.Combine(HostDirectory(root, 3), "replica-3", "data"), recursive: true);
            var list = await OnAsync(network, 0, "checkpoint", "list", "--cluster", HostDirectory(root, 0), "--json");
            list.ExitCode.Should().Be(0, list.Error);
            list.Output.Should().Contain($"\"id\": {id}");
            var exported = Path.Combine(HostDirectory(root, 0), $"checkpoint-{id}.tar.gz");
            var export = await OnAsync(
                network,
                0,
                "checkpoint",
                "export",
                "--cluster",
                HostDirectory(root, 0),
                "--replica",
                "0",
                "--id",
                $"{id}",
                "--to",
                exported
            );
            export.ExitCode.Should().Be(0, export.Error);
            var archive = Path.Combine(HostDirectory(root, 3), Path.GetFileName(exported));
            File.Copy(exported, archive);

            var verify = await OnAsync(
                network,
                3,
                "checkpoint",
                "verify",
                archive,
                "--cluster",
                HostDirectory(root, 3)
            );
            verify.ExitCode.Should().Be(0, verify.Error);
            verify.Output.Should().Contain("✓ quorum certificate");
            var restore = await RestoreOnHost3Async("--from", archive, "--json");
            restore.ExitCode.Should().Be(0, restore.Error);
            using (var restored = JsonDocument.Parse(restore.Output))
            {
                restored
                    .RootElement.GetProperty("consensusMetadataReset")
                    .GetBoolean()
                    .Should()
                    .BeTrue("the checkpoint is replica 0's");
            }

            replicas[3] = StartReplica(network, root, 3);
            await LoadAsync(network, clientBundle);
            var peersExecuted = (await ExecutedAsync(network, operatorBundle)).Take(3).Max();
            await Eventually.TrueAsync(
                async () => (await ExecutedAsync(network, operatorBundle))[3] >= peersExecuted,
                $"restored replica 3 executing up to its peers' sequence number {peersExecuted}"
            );
        }
        finally
        {
            foreach (var replica in replicas.OfType<Process>())
            {
                if (!replica.HasExited)
                {
                    replica.Kill();
                }

                replica.Dispose();
            }

            network.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    private static string HostDirectory(string root, int host) => Path.Combine(root, $"host-{host}");

    private static Task<CairnProcess> OnAsync(NetworkNamespaces network, int host, params string[] args) =>
        CairnProcess.RunWithPrefixAsync(network.On(host), args);

    /// <summary>'cairn replica --config' in the host's namespace, its output in the bundle's replica.log.</summary>
    private static Process StartReplica(NetworkNamespaces network, string root, int id)
    {
        var directory = Path.Combine(HostDirectory(root, id), $"replica-{id}");
        var start = new ProcessStartInfo("/bin/sh");
        foreach (
            var argument in (string[])
                ["-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1", "sh", Path.Combine(directory, "replica.log")]
        )
        {
            start.ArgumentList.Add(argument);
        }

        foreach (
            var argument in network
                .On(id)
                .Concat(TestCluster.CairnCommand)
                .Concat(["replica", "--config", Path.Combine(directory, "deployment.config")])
        )
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>The host fails: its replica dies at once (SIGKILL); waits until it has exited.</summary>
    private static async Task KillAsync(Process replica)
    {
        replica.Kill();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TestCluster.Patience);
        await replica.WaitForExitAsync(deadline.Token);
    }

    private static async Task LoadAsync(NetworkNamespaces network, string clientBundle)
    {
        var load = await OnAsync(
            network,
            OperatorHost,
            "load",
            "--cluster",
            clientBundle,
            "--requests",
            "200",
            "--clients",
            "4",
            "--json"
        );
        load.ExitCode.Should().Be(0, load.Error);
        using var report = JsonDocument.Parse(load.Output);
        report.RootElement.GetProperty("completed").GetInt32().Should().Be(200);
    }

    /// <summary>Each replica's last executed sequence number, from 'op wedge status' (-1 for one that does not
    /// answer).</summary>
    private static async Task<long[]> ExecutedAsync(NetworkNamespaces network, string operatorBundle)
    {
        var status = await OnAsync(
            network,
            OperatorHost,
            "op",
            "wedge",
            "status",
            "--cluster",
            operatorBundle,
            "--json"
        );
        using var answers = JsonDocument.Parse(status.Output);
        return
        [
            .. answers
                .RootElement.GetProperty("replicas")
                .EnumerateArray()
                .Select(r =>
                    r.GetProperty("status").ValueKind == JsonValueKind.Object
                        ? r.GetProperty("status").GetProperty("lastExecutedSeq").GetInt64()
                        : -1
                ),
        ];
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
