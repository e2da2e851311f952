using System.CommandLine;
using Cairn.Cli.Demo;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn demo</c>: the story on temporary data — a replica's ledger and its online checkpoint, then a
/// 4-replica cluster that keeps committing while a replica is killed and catches it up when it returns.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var blocks = new Option<int>("--blocks") { Description = "How many blocks act 1 appends (1 KiB of state each).", DefaultValueFactory = _ => 10_000 };
        var ledgerOnly = new Option<bool>("--ledger-only") { Description = "Only act 1 (storage), no replica processes." };
        var keep = new Option<bool>("--keep") { Description = "Leave the temporary directory (and the cluster running) for exploring." };
        var demo = new Command("demo", "Show Cairn on temporary data: ledger and online checkpoint, then a live 4-replica cluster.") { blocks, ledgerOnly, keep };
        blocks.Validators.Add(result =>
        {
            // A token that is not a number is the parser's error to report; this only bounds numbers.
            if (result.Tokens is [var token] && int.TryParse(token.Value, out var count) && count is < 1 or > 10_000_000)
            {
                result.AddError("--blocks must be between 1 and 10000000");
            }
        });
        demo.SetAction((parse, cancellationToken) => RunAsync(console, parse.GetValue(blocks), parse.GetValue(ledgerOnly), parse.GetValue(keep), cancellationToken));
        return demo;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, int blockCount, bool ledgerOnly, bool keep, CancellationToken cancellationToken)
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
            }

            console.MarkupLineInterpolated($"\n[bold green]Done[/] in {narrator.Elapsed.TotalSeconds:N1} s.");
            return 0;
        }
        finally
        {
            if (keep)
            {
                console.MarkupLineInterpolated($"Kept {root}{(cluster is null ? "" : $" (cluster running: 'cairn cluster down --dir {Path.Combine(root, "cluster")}' stops it)")}");
            }
            else
            {
                if (cluster is not null)
                {
                    await cluster.DownAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
                }

                Directory.Delete(root, recursive: true);
            }
        }
    }
}
