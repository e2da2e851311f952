using System.CommandLine;
using Cairn.Cli.Demo;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn demo</c>: the story on temporary data — a replica's ledger and its online checkpoint; a 4-replica
/// cluster that checkpoints while it commits, takes a checkpoint on demand, loses a replica's disk and restores it from
/// a
/// checkpoint, wedges for maintenance, and exports, verifies and inspects a backup; then tears everything
/// down.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var blocks = new Option<int>("--blocks")
        {
            Description = "How many blocks act 1 appends (1 KiB of state each).",
            DefaultValueFactory = _ => 5_000,
        };
        var ledgerOnly = new Option<bool>("--ledger-only")
        {
            Description = "Only act 1 (storage), no replica processes.",
        };
        var keep = new Option<bool>("--keep")
        {
            Description =
                "Leave the temporary directory and the cluster running for exploring "
                + "(prints how to reach and stop it).",
        };
        var demo = new Command(
            "demo",
            "Show Cairn on temporary data: ledger and online checkpoint, then a live 4-replica cluster backed up, "
                + "wiped and restored."
        )
        {
            blocks,
            ledgerOnly,
            keep,
        };
        CommonOptions.Bound(blocks, 1, 10_000_000);
        demo.SetAction(
            (parse, cancellationToken) =>
                RunAsync(
                    console,
                    parse.GetValue(blocks),
                    parse.GetValue(ledgerOnly),
                    parse.GetValue(keep),
                    cancellationToken
                )
        );
        return demo;
    }

    private static async Task<int> RunAsync(
        IAnsiConsole console,
        int blockCount,
        bool ledgerOnly,
        bool keep,
        CancellationToken cancellationToken
    )
    {
        var root = Directory.CreateTempSubdirectory("cairn-demo-").FullName;
        var narrator = new DemoNarrator(console);
        ClusterRunner? cluster = null;
        try
        {
            console.MarkupLine("[bold]Cairn demo[/]: a Byzantine-fault-tolerant ledger on RocksDB, backed up online.");
            LedgerAct.Run(narrator, root, blockCount);
            if (!ledgerOnly)
            {
                cluster = await ClusterAct.StartAsync(narrator, root, cancellationToken);
                await ClusterAct.RunAsync(narrator, cluster, cancellationToken);
                await BackupAct.RunAsync(narrator, cluster, cancellationToken);
                await RestoreAct.RunAsync(narrator, cluster, cancellationToken);
                await WedgeAct.RunAsync(narrator, cluster, cancellationToken);
                await ArchiveAct.RunAsync(narrator, cluster, root, cancellationToken);
            }

            if (!keep)
            {
                narrator.Act("Tear down");
                if (cluster is not null)
                {
                    var running = cluster;
                    await narrator.StepAsync(
                        "Stop the replicas",
                        () => running.DownAsync(TimeSpan.FromSeconds(10), CancellationToken.None),
                        stopped => $"stopped {stopped.Count} replica processes"
                    );
                    cluster = null;
                }

                narrator.Step(
                    "Delete the temporary data",
                    () =>
                    {
                        Directory.Delete(root, recursive: true);
                        return root;
                    },
                    r => r
                );
            }

            console.MarkupLineInterpolated($"\n[bold green]Done[/] in {narrator.Elapsed.TotalSeconds:N1} s.");
            return 0;
        }
        finally
        {
            if (keep)
            {
                PrintHowToExplore(console, root, cluster);
            }
            else
            {
                // After a failure: nothing is left behind either.
                if (cluster is not null)
                {
                    await cluster.DownAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
                }

                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }
            }
        }
    }

    private static void PrintHowToExplore(IAnsiConsole console, string root, ClusterRunner? cluster)
    {
        console.MarkupLineInterpolated($"\nKept {root}.");
        if (cluster is null)
        {
            return;
        }

        var dir = cluster.Layout.Directory;
        console.MarkupLine("The cluster is still running. Try:");
        foreach (
            var line in new[]
            {
                $"cairn cluster status --dir {dir}",
                $"cairn kv get maintenance --cluster {dir}",
                $"cairn op dbCheckpoint status --cluster {dir}",
                $"cairn checkpoint list --cluster {dir}",
                $"cairn load --cluster {dir} --requests 1000 --clients 8",
            }
        )
        {
            console.MarkupLineInterpolated($"  {line}");
        }

        console.MarkupLineInterpolated($"Stop it and clean up: cairn cluster down --dir {dir} && rm -rf {root}");
    }
}
