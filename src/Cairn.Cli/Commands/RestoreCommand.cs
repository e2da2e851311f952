using System.CommandLine;
using Cairn.Backup;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn restore</c>: install a verified checkpoint as a stopped replica's database.</summary>
internal static class RestoreCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var replica = new ReplicaSelection("The replica to restore (it must be stopped)");
        var id = new Option<ulong?>("--checkpoint") { Description = "One of the replica's own checkpoints, by id." };
        var from = new Option<string?>("--from")
        {
            Description = "A checkpoint directory or exported archive (for instance a peer's).",
        };
        var discardOld = new Option<bool>("--discard-old")
        {
            Description =
                "Have the replica delete the current database once it has started again and caught up to its peers "
                + "(kept aside by default).",
        };
        var json = CommonOptions.JsonOutput();
        var restore = new Command(
            "restore",
            "Install a verified checkpoint as a stopped replica's database; started again, it catches up from its "
                + "peers."
        )
        {
            id,
            from,
            discardOld,
            json,
        };
        replica.AddTo(restore);
        restore.Validators.Add(result =>
        {
            if ((result.GetResult(id) is null) == (result.GetResult(from) is null))
            {
                result.AddError("give exactly one of --checkpoint ID and --from PATH");
            }
        });
        restore.SetAction(parse =>
        {
            string startAgain;
            Func<IProgress<TransferProgress>?, RestoreResult> run;
            int n;
            if (replica.ByConfig(parse))
            {
                var standalone = replica.Standalone(parse);
                n = standalone.Config.ReplicaId.Value;
                var source = Source(parse, id, from, standalone.Checkpoint);
                run = progress => standalone.Restore(source, parse.GetValue(discardOld), progress);
                startAgain =
                    "its service (e.g. 'systemctl start cairn-replica'), or 'cairn replica --config "
                    + $"{standalone.Config.SourcePath}'";
            }
            else
            {
                var layout = replica.Layout(parse);
                var number = parse.GetValue(replica.Replica)!.Value;
                n = number;
                var source = Source(parse, id, from, checkpoint => layout.ReplicaCheckpoint(number, checkpoint));
                var maintenance = new ReplicaMaintenance(new ClusterRunner(layout, CommonOptions.SelfCommand()));
                run = progress => maintenance.Restore(number, source, parse.GetValue(discardOld), progress);
                startAgain = $"'cairn cluster up --dir {layout.Directory}'";
            }

            var asJson = parse.GetValue(json);
            var result = ProgressDisplay.Run(console, asJson, "restoring", run);
            var m = result.Checkpoint;
            if (asJson)
            {
                CommonOptions.WriteJson(
                    console,
                    new
                    {
                        replica = n,
                        id = m.Id.Value,
                        seqNum = m.SeqNum.Value,
                        lastBlockDigest = m.LastBlockDigest.ToHex(),
                        stateDigest = m.StateDigest.ToHex(),
                        database = result.DatabaseDirectory,
                        oldDatabase = result.OldDatabase,
                        oldDatabaseDeletedAfterCatchUp = result.OldDatabasePendingDiscard,
                        linkedFiles = result.LinkedFiles,
                        copiedFiles = result.CopiedFiles,
                        consensusMetadataReset = result.ConsensusMetadataReset,
                        consensusRecordsKept = result.ConsensusRecordsKept,
                        checkpointsCarriedOver = result.CheckpointsCarriedOver,
                    }
                );
                return 0;
            }

            foreach (var check in result.Verification.Checks.Where(c => c.Passed is true))
            {
                console.MarkupLineInterpolated($"[green]✓[/] {check.Name}: {check.Detail}");
            }

            console.MarkupInterpolated(
                $"[green]✓[/] installed checkpoint {m.Id} (seq {m.SeqNum}) as replica {n}'s database: "
            );
            console.MarkupLineInterpolated($"{result.LinkedFiles} files linked, {result.CopiedFiles} copied");
            if (result.ConsensusMetadataReset)
            {
                console.MarkupLine("[green]✓[/] consensus metadata of the checkpoint's replica removed");
            }

            console.MarkupLine(
                result.ConsensusRecordsKept
                    ? "[green]✓[/] this replica's consensus records (view, votes, stable certificate) kept from the "
                        + "replaced database"
                    : "[yellow]![/] the replaced database's consensus records are lost: the replica signs no vote "
                        + "until it has learned its peers' view and stable checkpoint"
            );

            var oldDatabase =
                result.OldDatabase is null ? "none"
                : result.OldDatabasePendingDiscard
                    ? $"{result.OldDatabase} (the replica deletes it once it has started and caught up)"
                : $"{result.OldDatabase} (kept; delete it once the restored replica has caught up)";
            console.MarkupLineInterpolated(
                $"  old database: {oldDatabase}; {result.CheckpointsCarriedOver} checkpoints carried over"
            );
            console.MarkupInterpolated($"  start it again ({startAgain}); ");
            console.MarkupLineInterpolated($"it catches up the blocks after {m.LastBlockId} from its peers");
            return 0;
        });
        return restore;
    }

    /// <summary>The checkpoint to install: one of the replica's own by id (<paramref name="ownCheckpoint"/>), or a
    /// path.</summary>
    private static string Source(
        ParseResult parse,
        Option<ulong?> id,
        Option<string?> from,
        Func<ulong, string> ownCheckpoint
    ) => parse.GetValue(id) is { } checkpointId ? ownCheckpoint(checkpointId) : Path.GetFullPath(parse.GetValue(from)!);
}
