using System.CommandLine;
using System.Diagnostics;
using Cairn.Core;
using Cairn.Ledger;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn demo</c>: shows on a temporary ledger what a replica's storage does: hash-chained blocks,
/// an online RocksDB checkpoint, and its read-only verification.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var blocks = new Option<int>("--blocks") { Description = "How many blocks to append (1 KiB of state each).", DefaultValueFactory = _ => 10_000 };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary directory and print where it is." };
        var demo = new Command("demo", "Append blocks to a temporary ledger, checkpoint it while open, and verify the checkpoint.") { blocks, keep };
        blocks.Validators.Add(result =>
        {
            // A token that is not a number is the parser's error to report; this only bounds numbers.
            if (result.Tokens is [var token] && int.TryParse(token.Value, out var count) && count is < 1 or > 10_000_000)
            {
                result.AddError("--blocks must be between 1 and 10000000");
            }
        });
        demo.SetAction(parse => Run(console, parse.GetValue(blocks), parse.GetValue(keep)));
        return demo;
    }

    private static int Run(IAnsiConsole console, int blockCount, bool keep)
    {
        var root = Path.Combine(Path.GetTempPath(), $"cairn-demo-{Environment.ProcessId}-{DateTime.UtcNow:HHmmss}");
        var total = Stopwatch.StartNew();
        try
        {
            console.MarkupLine("[bold]Cairn demo[/]: a replica's ledger on RocksDB, backed up online with a checkpoint.");
            var dbPath = Path.Combine(root, "rocksdbdata");
            using var ledger = Step(console, "Create a ledger", () => RocksDbLedger.Open(dbPath, new LedgerOptions("demo-chain", Durability.Unsynced)),
                l => $"{l.Location} (chain {l.ChainId})");

            var append = Stopwatch.StartNew();
            AppendBlocks(console, ledger, blockCount);
            console.MarkupLineInterpolated($"[green]✓[/] Append {blockCount:N0} hash-chained blocks [grey]({append.Elapsed.TotalMilliseconds:N0} ms, {blockCount / append.Elapsed.TotalSeconds:N0} blocks/s)[/]");
            console.MarkupLineInterpolated($"    head: block {ledger.Head.LastBlockId}, digest {ledger.Head.LastDigest.ToHex()}");

            var checkpointPath = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "checkpoints")).FullName, ledger.Head.LastBlockId.ToString());
            var head = Step(console, "Take a RocksDB checkpoint while the ledger stays open", () => ledger.CreateCheckpoint(checkpointPath),
                h => $"{checkpointPath} holds blocks 1..{h.LastBlockId}");

            Step(console, "Keep appending after the checkpoint", () =>
            {
                AppendBlocks(console, ledger, 100);
                return ledger.Head;
            }, h => $"the live ledger is now at block {h.LastBlockId}");

            using var checkpoint = Step(console, "Open the checkpoint read-only", () => RocksDbLedger.OpenReadOnly(checkpointPath),
                c => $"head block {c.Head.LastBlockId}: the blocks appended after it are not in it");
            var verification = Step(console, "Re-derive the checkpoint's hash chain from its blocks", () => ChainVerifier.Verify(checkpoint),
                v => $"{v.BlocksChecked:N0} blocks chain to digest {v.Head.LastDigest.ToHex()}");
            if (verification.Head != head)
            {
                throw new LedgerCorruptException(checkpointPath, "the checkpoint's chain does not end at the head recorded when it was taken");
            }

            Step(console, "Compute the checkpoint's state digest", () => LedgerDigests.State(checkpoint), d => d.ToHex());
            console.MarkupLineInterpolated($"[bold green]Done[/] in {total.Elapsed.TotalSeconds:N1} s.");
            return 0;
        }
        finally
        {
            if (keep)
            {
                console.MarkupLineInterpolated($"Kept {root}");
            }
            else if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static T Step<T>(IAnsiConsole console, string title, Func<T> action, Func<T, string> describe)
    {
        var watch = Stopwatch.StartNew();
        var result = action();
        console.MarkupLineInterpolated($"[green]✓[/] {title} [grey]({watch.Elapsed.TotalMilliseconds:N1} ms)[/]");
        console.MarkupLineInterpolated($"    {describe(result)}");
        return result;
    }

    private static void AppendBlocks(IAnsiConsole console, RocksDbLedger ledger, int count)
    {
        var value = new byte[1024];
        var first = ledger.Head.LastSeqNum.Value + 1;
        void AppendRange(Action<int> progress)
        {
            for (var i = 0; i < count; i++)
            {
                var seq = first + (ulong)i;
                Random.Shared.NextBytes(value);
                ledger.Append(new BlockProposal(new SeqNum(seq), DateTimeOffset.UtcNow,
                    [StateWrite.Put(System.Text.Encoding.ASCII.GetBytes($"account-{seq % 1000:D4}"), value)]));
                progress(i + 1);
            }
        }

        if (!console.Profile.Capabilities.Interactive || count < 1000)
        {
            AppendRange(_ => { });
            return;
        }

        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("appending blocks", maxValue: count);
                AppendRange(done =>
                {
                    if (done % 500 == 0 || done == count)
                    {
                        task.Value = done;
                    }
                });
            });
    }
}
