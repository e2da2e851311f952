using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Act 2: a 4-replica cluster of real processes on loopback commits under load, loses a replica without
/// stopping, and the replica catches up when it comes back.</summary>
internal static class ClusterAct
{
    private const int Replicas = 4;

    public static async Task<ClusterRunner> StartAsync(DemoNarrator narrator, string root, CancellationToken cancellationToken)
    {
        narrator.Act("Act 2 — a 4-replica BFT cluster on loopback (f = 1)");
        var layout = narrator.Step("Create keys and configs for 4 replicas", () =>
            ClusterInitializer.Initialize(new ClusterInitOptions(Path.Combine(root, "cluster"), Replicas, LocalPorts.FindFreeBasePort(Replicas))),
            l => l.Directory);
        var runner = new ClusterRunner(layout, CommonOptions.SelfCommand());
        await narrator.StepAsync("Start the replica processes", () => runner.UpAsync(TimeSpan.FromSeconds(60), cancellationToken),
            r => string.Join(", ", r.Select(p => $"replica {p.Id} pid {p.Pid} port {p.Port}")));
        return runner;
    }

    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        var config = ClientConfig.Load(runner.Layout.ClientConfig) with { RequestTimeout = TimeSpan.FromSeconds(30) };
        await narrator.StepAsync("Load: 1,000 puts of 1 KiB from 16 concurrent clients", () => LoadGenerator.RunAsync(config, new LoadOptions(1000, 16, 1024), null, cancellationToken),
            r => $"{r.Completed:N0} committed, {r.ThroughputPerSecond:N0} req/s, p50 {r.P50Ms:N1} ms, p99 {r.P99Ms:N1} ms");

        await narrator.StepAsync("Kill replica 3 (SIGKILL)", () => runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(5), cancellationToken),
            _ => "3 of 4 replicas left: 2f + 1 = 3 still make progress");
        await narrator.StepAsync("Keep loading: 1,000 more puts with a replica down", () => LoadGenerator.RunAsync(config, new LoadOptions(1000, 16, 1024), null, cancellationToken),
            r => $"{r.Completed:N0} committed, {r.Failed} failed, {r.ThroughputPerSecond:N0} req/s");

        narrator.Step("Restart replica 3", () => runner.StartReplica(3), pid => $"pid {pid}");
        var statuses = await narrator.StepAsync("Wait for replica 3 to catch up (state transfer from its peers)", () => WaitCaughtUpAsync(config, cancellationToken),
            s => $"every replica at block {s[0]!.LastBlockId}");
        ShowStatus(narrator.Console, statuses);
    }

    private static async Task<ReplicaStatus?[]> WaitCaughtUpAsync(ClientConfig config, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var statuses = await Task.WhenAll(config.Replicas.Select(r => ReplicaAdmin.StatusAsync(r, TimeSpan.FromSeconds(2), cancellationToken)));
            if (statuses.All(s => s is not null) && statuses.Select(s => (s!.LastBlockId, s.LastBlockDigest)).Distinct().Count() == 1)
            {
                return statuses;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterRunException("replica 3 did not catch up within 60 s; see replica-3/replica.log");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static void ShowStatus(IAnsiConsole console, ReplicaStatus?[] statuses)
    {
        var table = new Table().AddColumns("replica", "view", "last executed", "last stable", "last block", "last block digest");
        foreach (var s in statuses)
        {
            table.AddRow($"{s!.ReplicaId}", $"{s.View}", $"{s.LastExecutedSeq}", $"{s.LastStableSeq}", $"{s.LastBlockId}", s.LastBlockDigest);
        }

        console.Write(table);
        console.MarkupLine("       [green]equal digests: every replica holds the same chain[/]");
    }
}
