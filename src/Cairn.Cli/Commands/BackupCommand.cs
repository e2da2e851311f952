using System.CommandLine;
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
                var target = parse.GetRequiredValue(to).FullName;
                var asJson = parse.GetValue(json);
                var copy = await ProgressDisplay.RunAsync(
                    console,
                    asJson,
                    "copying",
                    progress =>
                        new ReplicaMaintenance(new ClusterRunner(layout, CommonOptions.SelfCommand())).BackupAsync(
                            n,
                            target,
                            progress,
                            cancellationToken
                        )
                );
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
                            restarted = copy.Restarted,
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
                        copy.Restarted
                            ? $"[green]✓[/] replica {n} restarted and healthy"
                            : $"replica {n} was not running; left stopped"
                    );
                }

                return 0;
            }
        );
        return backup;
    }
}
