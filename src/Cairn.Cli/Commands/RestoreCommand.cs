using System.CommandLine;
using System.Globalization;
using Cairn.Backup;
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
            if ((result.GetValue(id) is null) == (result.GetValue(from) is null))
            {
                result.AddError("give exactly one of --checkpoint ID and --from PATH");
            }
        });
        restore.SetAction(parse =>
        {
            var layout = new ClusterLayout(parse.GetRequiredValue(cluster).FullName);
            var n = parse.GetValue(replica);
            var source = parse.GetValue(id) is { } checkpointId
                ? Path.Combine(
                    CheckpointCommand.ReplicaConfig(layout, n).DbCheckpoints.Path,
                    checkpointId.ToString(CultureInfo.InvariantCulture)
                )
                : Path.GetFullPath(parse.GetValue(from)!);
            var request = Request(layout, n, source, parse.GetValue(discardOld));
            var asJson = parse.GetValue(json);
            var result = ProgressDisplay.Run(
                console,
                asJson,
                "restoring",
                progress => ReplicaRestore.Run(request, progress)
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

    /// <summary>The restore of replica <paramref name="n"/> of the cluster in <paramref name="layout"/> from
    /// <paramref name="source"/> (a checkpoint directory or archive).</summary>
    /// <exception cref="DbCheckpointException">When the replica is running, or the cluster or replica does not
    /// exist.</exception>
    internal static RestoreRequest Request(ClusterLayout layout, int n, string source, bool discardOld)
    {
        var config = CheckpointCommand.ReplicaConfig(layout, n);
        if (new ClusterRunner(layout, CommonOptions.SelfCommand()).IsRunning(n))
        {
            throw new DbCheckpointException(
                layout.ReplicaDirectory(n),
                $"replica {n} is running; stop it first (kill the pid in {layout.ReplicaPidFile(n)}, or 'cairn cluster "
                    + $"down --dir {layout.Directory}')"
            );
        }

        if (DatabaseLock.IsHeld(config.RocksDbPath))
        {
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {n} is running (its database is open); stop it first (its service, e.g. 'systemctl stop "
                    + $"cairn-replica')"
            );
        }

        return new RestoreRequest
        {
            DataDirectory = config.DataDir,
            DatabaseDirectory = config.RocksDbPath,
            CheckpointsDirectory = config.DbCheckpoints.Path,
            Source = source,
            Keys = ReplicaPublicKeys.Load(layout.KeysDirectory),
            ChainId = config.ChainId,
            DiscardOld = discardOld,
        };
    }
}
