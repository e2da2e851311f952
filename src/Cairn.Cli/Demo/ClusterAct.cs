using System.Text.RegularExpressions;
using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Node.LocalCluster;
using Cairn.Operator;
using Cairn.Protocol.Grpc;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Act 2: a 4-replica cluster of real processes on loopback, with a short checkpoint policy, commits under
/// load
/// and takes periodic DB checkpoints without stopping.</summary>
internal static class ClusterAct
{
    private const int Replicas = 4;

    // The demo's policy: a checkpoint at every 20-seq boundary once a second of consensus time has passed (Concord's
    // defaults, 30,000 seqs and 6 hours, would never fire in a demo).
    private static readonly Dictionary<string, string> DemoPolicy = new()
    {
        ["checkpoint_window_size"] = "20",
        ["dbcheckpoint_window"] = "20",
        ["db_checkpoint_duration"] = "1",
    };

    public static async Task<ClusterRunner> StartAsync(
        DemoNarrator narrator,
        string root,
        CancellationToken cancellationToken
    )
    {
        narrator.Act("Act 2 — a 4-replica BFT cluster on loopback (f = 1), checkpointing as it goes");
        var layout = narrator.Step(
            "Create keys and configs for 4 replicas",
            () =>
                ClusterInitializer.Initialize(
                    new ClusterInitOptions(
                        Path.Combine(root, "cluster"),
                        Replicas,
                        LocalPorts.FindFreeBasePort(Replicas)
                    )
                ),
            l => l.Directory
        );
        narrator.Step(
            "Shorten the checkpoint policy for the demo",
            () =>
            {
                foreach (var id in layout.ReplicaIds())
                {
                    var path = layout.ReplicaConfig(id);
                    var text = File.ReadAllText(path);
                    foreach (var (key, value) in DemoPolicy)
                    {
                        text = Regex.Replace(text, $"^{key}: .*$", $"{key}: {value}", RegexOptions.Multiline);
                    }

                    File.WriteAllText(path, text);
                }

                return DemoPolicy;
            },
            p =>
                string.Join(", ", p.Select(kv => $"{kv.Key}: {kv.Value}"))
                + " (Concord's defaults: 150, 30000, 21600 s)"
        );
        var runner = new ClusterRunner(layout, CommonOptions.SelfCommand());
        await narrator.StepAsync(
            "Start the replica processes",
            () => runner.UpAsync(TimeSpan.FromSeconds(60), cancellationToken),
            r => string.Join(", ", r.Select(p => $"replica {p.Id} pid {p.Pid} port {p.Port}"))
        );
        return runner;
    }

    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        var config = ClientConfig.Load(runner.Layout.ClientConfig) with { RequestTimeout = TimeSpan.FromSeconds(30) };
        var operatorConfig = ClientConfig.Load(runner.Layout.OperatorConfig);
        await narrator.StepAsync(
            "Load: 400 puts of 1 KiB from 16 concurrent clients",
            () =>
                LoadCommand.RunWithProgressAsync(
                    narrator.Console,
                    config,
                    new LoadOptions(400, 16, 1024),
                    cancellationToken
                ),
            r =>
                $"{r.Completed:N0} committed, {r.Failed} failed, {r.ThroughputPerSecond:N0} req/s, p50 {r.P50Ms:N1} "
                + $"ms, p99 {r.P99Ms:N1} ms"
        );
        var answers = await narrator.StepAsync(
            "Periodic DB checkpoints, taken while the load ran (cairn op dbCheckpoint status)",
            () => WaitForPeriodicCheckpointsAsync(operatorConfig, cancellationToken),
            a =>
                $"{a.Sum(r => r.Status!.Checkpoints.Count)} checkpoints on 4 replicas, at the same sequence numbers "
                + $"with the same state digests"
        );
        DbCheckpointCommand.Show(narrator.Console, answers, json: false, onlySeq: null);
    }

    private static async Task<IReadOnlyList<QueryAnswer<DbCheckpointStatusAnswer>>> WaitForPeriodicCheckpointsAsync(
        ClientConfig config,
        CancellationToken cancellationToken
    )
    {
        var answers = await DbCheckpointCommand.WaitForAsync(
            config,
            a => a.Status is { Checkpoints.Count: > 0 },
            TimeSpan.FromSeconds(60),
            cancellationToken
        );
        return answers.All(a => a.Status is { Checkpoints.Count: > 0 })
            ? answers
            : throw new ClusterRunException("not every replica took a periodic checkpoint within 60 s");
    }

    /// <summary>Every replica's view, progress and last block digest, side by side.</summary>
    public static void ShowStatus(IAnsiConsole console, ReplicaStatus?[] statuses)
    {
        var table = new Table().AddColumns(
            "replica",
            "view",
            "last executed",
            "last stable",
            "last block",
            "last block digest"
        );
        foreach (var s in statuses)
        {
            table.AddRow(
                $"{s!.ReplicaId}",
                $"{s.View}",
                $"{s.LastExecutedSeq}",
                $"{s.LastStableSeq}",
                $"{s.LastBlockId}",
                s.LastBlockDigest
            );
        }

        console.Write(table);
        console.MarkupLine("       [green]equal digests: every replica holds the same chain[/]");
    }
}
