using System.CommandLine;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn cluster ...</c>: create and run a local cluster.</summary>
internal static class ClusterCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = new Command("cluster", "Create and run a local cluster of replica processes on loopback.");
        cluster.Subcommands.Add(CreateInit(console));
        return cluster;
    }

    private static Command CreateInit(IAnsiConsole console)
    {
        var dir = new Option<DirectoryInfo>("--dir") { Description = "The cluster directory to create (must not exist or be empty).", Required = true };
        var replicas = new Option<int>("--replicas") { Description = "Number of replicas, n = 3f + 1.", DefaultValueFactory = _ => 4 };
        var basePort = new Option<int>("--base-port") { Description = "Replica i listens on base-port + i, its metrics on base-port + 100 + i.", DefaultValueFactory = _ => 7100 };
        var descriptor = new Option<FileInfo?>("--descriptor") { Description = "An infrastructure_descriptor.json (its NUM_DB_SNAPSHOTS sets num_of_rocksdbcheckpoints)." };
        var init = new Command("init", "Write keys and configs for a new local cluster.") { dir, replicas, basePort, descriptor };
        init.SetAction(parse =>
        {
            var layout = ClusterInitializer.Initialize(new ClusterInitOptions(
                parse.GetRequiredValue(dir).FullName, parse.GetValue(replicas), parse.GetValue(basePort), parse.GetValue(descriptor)?.FullName));
            var ids = layout.ReplicaIds();
            console.MarkupLineInterpolated($"Created a cluster of {ids.Count} replicas in [bold]{layout.Directory}[/]");
            foreach (var id in ids)
            {
                console.WriteLine($"  replica {id}: {layout.ReplicaConfig(id)}");
            }

            console.WriteLine($"  operator key: {layout.OperatorPrivateKey} (keep it safe: it signs operator commands)");
            return 0;
        });
        return init;
    }
}
