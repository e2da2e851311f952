using System.CommandLine;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn restore</c>: install a verified checkpoint as a stopped replica's database.</summary>
internal static class RestoreCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = CommonOptions.Cluster();
        var replica = new Option<int>("--replica")
        {
            Description = "The replica to restore (it must be stopped).",
            Required = true,
        };
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
            cluster,
            replica,
            id,
            from,
            discardOld,
            json,
        };
        restore.Validators.Add(result =>
        {
            if ((result.GetResult(id) is null) == (result.GetResult(from) is null))
            {
                result.AddError("give exactly one of --checkpoint ID and --from PATH");
            }
        });
        restore.SetAction(parse =>
        {
            var layout = new ClusterLayout(parse.GetRequiredValue(cluster).FullName);
            var n = parse.GetValue(replica);
            var source = parse.GetValue(id) is { } checkpointId
                ? layout.ReplicaCheckpoint(n, checkpointId)
                : Path.GetFullPath(parse.GetValue(from)!);
            var asJson = parse.GetValue(json);
            var result = ProgressDisplay.Run(
                console,
                asJson,
                "restoring",
                progress =>
                    new ReplicaMaintenance(new ClusterRunner(layout, CommonOptions.SelfCommand())).Restore(
                        n,
                        source,
                        parse.GetValue(discardOld),
                        progress
                    )
            );
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
            console.MarkupInterpolated($"  start it again ('cairn cluster up --dir {layout.Directory}'); ");
            console.MarkupLineInterpolated($"it catches up the blocks after {m.LastBlockId} from its peers");
            return 0;
        });
        return restore;
    }
}
