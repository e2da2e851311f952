using System.CommandLine;
using System.Diagnostics;
using Cairn.Backup;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn backup</c>: intermittent backup of one replica — stop it, copy its database with a manifest, start
/// it again.</summary>
internal static class BackupCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cluster = CommonOptions.Cluster();
        var replica = new Option<int>("--replica")
        {
            Description = "The replica to back up (the others keep serving).",
            Required = true,
        };
        var to = new Option<DirectoryInfo>("--to")
        {
            Description = "The directory to create with the copy (must not exist).",
            Required = true,
        };
        var json = CommonOptions.JsonOutput();
        var backup = new Command(
            "backup",
            "Intermittent backup (backup_mode: intermittent): stop one replica, copy its database with a SHA-256 "
                + "manifest, restart it."
        )
        {
            cluster,
            replica,
            to,
            json,
        };
        backup.SetAction(
            async (parse, cancellationToken) =>
            {
                var layout = new ClusterLayout(parse.GetRequiredValue(cluster).FullName);
                var n = parse.GetValue(replica);
                var config = CheckpointCommand.ReplicaConfig(layout, n);
                if (config.BackupMode != BackupMode.Intermittent)
                {
                    throw new DbCheckpointException(
                        config.SourcePath,
                        "backup_mode is 'checkpoint': this replica backs up online with DB checkpoints ('cairn "
                            + "checkpoint export'); set backup_mode: intermittent to use 'cairn backup'"
                    );
                }

                var target = parse.GetRequiredValue(to).FullName;
                if (Directory.Exists(target) || File.Exists(target))
                {
                    throw new DbCheckpointException(target, "already exists (a backup never overwrites)");
                }

                var runner = new ClusterRunner(layout, CommonOptions.SelfCommand());
                if (!runner.IsRunning(n) && DatabaseLock.IsHeld(config.RocksDbPath))
                {
                    throw new DbCheckpointException(
                        config.RocksDbPath,
                        $"replica {n} is running but was not started by 'cairn cluster up', so it cannot be restarted "
                            + $"from here; stop it (its service, e.g. 'systemctl stop cairn-replica'), back up, start it"
                    );
                }

                var asJson = parse.GetValue(json);
                var wasRunning = await runner.StopReplicaAsync(
                    n,
                    kill: false,
                    TimeSpan.FromSeconds(30),
                    cancellationToken
                );
                (CheckpointManifest Manifest, Cairn.Ledger.LedgerHead Head, string ChainId) copy;
                try
                {
                    copy = ProgressDisplay.Run(
                        console,
                        asJson,
                        "copying",
                        progress =>
                            IntermittentBackup.Copy(config.RocksDbPath, config.DbCheckpoints.Path, target, progress)
                    );
                }
                finally
                {
                    if (wasRunning)
                    {
                        runner.StartReplica(n);
                        await WaitHealthyAsync(runner, n, cancellationToken);
                    }
                }

                if (asJson)
                {
                    CommonOptions.WriteJson(
                        console,
                        new
                        {
                            replica = n,
                            directory = target,
                            files = copy.Manifest.Files.Count,
                            bytes = copy.Manifest.TotalBytes,
                            lastBlockId = copy.Head.LastBlockId.Value,
                            lastBlockDigest = copy.Head.LastDigest.ToHex(),
                            chainId = copy.ChainId,
                            restarted = wasRunning,
                        }
                    );
                }
                else
                {
                    console.MarkupInterpolated(
                        $"[green]✓[/] replica {n} backed up to {target}: {copy.Manifest.Files.Count} files, "
                    );
                    console.MarkupInterpolated(
                        $"{CheckpointCommand.FormatBytes(copy.Manifest.TotalBytes)}, block {copy.Head.LastBlockId} "
                    );
                    console.MarkupLineInterpolated($"({copy.Head.LastDigest.ToHex()[..16]}…)");
                    console.MarkupLine(
                        wasRunning
                            ? $"[green]✓[/] replica {n} restarted and healthy"
                            : $"replica {n} was not running; left stopped"
                    );
                }

                return 0;
            }
        );
        return backup;
    }

    private static async Task WaitHealthyAsync(ClusterRunner runner, int id, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if ((await runner.StatusAsync(cancellationToken)).First(s => s.Id == id).Healthy)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new ClusterRunException(
            $"replica {id} was restarted after the backup but is not healthy after 60 s (log: "
                + $"{runner.Layout.ReplicaLogFile(id)})"
        );
    }
}
