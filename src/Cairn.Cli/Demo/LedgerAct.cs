using Cairn.Core;
using Cairn.Ledger;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Act 1: one replica's storage — hash-chained blocks in RocksDB, an online checkpoint, its
/// verification.</summary>
internal static class LedgerAct
{
    public static void Run(DemoNarrator narrator, string root, int blockCount)
    {
        narrator.Act("Act 1 — a replica's ledger on RocksDB, checkpointed while it keeps writing");
        using var ledger = narrator.Step(
            "Create a ledger",
            () =>
                RocksDbLedger.Open(
                    Path.Combine(root, "rocksdbdata"),
                    new LedgerOptions("demo-chain", Durability.Unsynced)
                ),
            l => $"{l.Location} (chain {l.ChainId})"
        );
        var watch = System.Diagnostics.Stopwatch.StartNew();
        narrator.Step(
            $"Append {blockCount:N0} hash-chained blocks",
            () =>
            {
                AppendBlocks(narrator.Console, ledger, blockCount);
                return ledger.Head;
            },
            h =>
                $"{blockCount / watch.Elapsed.TotalSeconds:N0} blocks/s; head block {h.LastBlockId}, digest "
                + $"{h.LastDigest.ToHex()}"
        );

        var checkpointPath = Path.Combine(
            Directory.CreateDirectory(Path.Combine(root, "checkpoints")).FullName,
            ledger.Head.LastBlockId.ToString()
        );
        var head = narrator.Step(
            "Take a RocksDB checkpoint while the ledger stays open",
            () => ledger.CreateCheckpoint(checkpointPath),
            h => $"{checkpointPath} holds blocks 1..{h.LastBlockId}"
        );
        narrator.Step(
            "Keep appending after the checkpoint",
            () =>
            {
                AppendBlocks(narrator.Console, ledger, 100);
                return ledger.Head;
            },
            h => $"the live ledger is now at block {h.LastBlockId}"
        );

        using var checkpoint = narrator.Step(
            "Open the checkpoint read-only",
            () => RocksDbLedger.OpenReadOnly(checkpointPath),
            c => $"head block {c.Head.LastBlockId}: the blocks appended after it are not in it"
        );
        var verification = narrator.Step(
            "Re-derive the checkpoint's hash chain from its blocks",
            () => ChainVerifier.Verify(checkpoint),
            v => $"{v.BlocksChecked:N0} blocks chain to digest {v.Head.LastDigest.ToHex()}"
        );
        if (verification.Head != head)
        {
            throw new LedgerCorruptException(
                checkpointPath,
                "the checkpoint's chain does not end at the head recorded when it was taken"
            );
        }

        narrator.Step("Compute the checkpoint's state digest", () => LedgerDigests.State(checkpoint), d => d.ToHex());
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
                ledger.Append(
                    new BlockProposal(
                        new SeqNum(seq),
                        DateTimeOffset.UtcNow,
                        [StateWrite.Put(System.Text.Encoding.ASCII.GetBytes($"account-{seq % 1000:D4}"), value)]
                    )
                );
                progress(i + 1);
            }
        }

        if (!console.Profile.Capabilities.Interactive || count < 1000)
        {
            AppendRange(_ => { });
            return;
        }

        console
            .Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn()
            )
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
