using System.CommandLine;
using Cairn.Backup;
using Cairn.Client;
using Cairn.Core.Crypto;
using Cairn.Node.LocalCluster;
using Cairn.Node.Maintenance;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn backup</c>: intermittent backup of one replica — stop it, copy its database, start it again,
/// and store with the copy a 2f+1 certificate that covers it, fetched from the cluster over the signed query
/// path. With <c>--config</c> the replica's service manager stops and starts it (docs/operator-guide.md).</summary>
internal static class BackupCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var replica = new ReplicaSelection("The replica to back up (the others keep serving)");
        var to = new Option<DirectoryInfo>("--to")
        {
            Description = "The directory to create with the copy (must not exist).",
            Required = true,
        };
        var key = new Option<FileInfo?>("--key")
        {
            Description =
                "With --config: the operator private key (PEM) that signs the query for the certificate covering the "
                + "copy (a cluster directory's operator.config names its own).",
        };
        var passphraseFile = new Option<FileInfo?>("--passphrase-file")
        {
            Description =
                "A file whose first line is the passphrase of an encrypted --key (default: the CAIRN_KEY_PASSPHRASE "
                + "environment variable).",
        };
        var json = CommonOptions.JsonOutput();
        var backup = new Command(
            "backup",
            "Intermittent backup (backup_mode: intermittent): stop one replica, copy its database, restart it, and "
                + "store a 2f+1 certificate covering the copy with a SHA-256 manifest (verify and restore take it)."
        )
        {
            to,
            key,
            passphraseFile,
            json,
        };
        replica.AddTo(backup);
        backup.Validators.Add(result =>
        {
            if (result.GetResult(replica.Config) is null && result.GetResult(key) is not null)
            {
                result.AddError(
                    "--key goes with --config FILE (with --cluster DIR, its operator.config names the key)"
                );
            }
        });
        backup.SetAction(
            async (parse, cancellationToken) =>
            {
                var target = parse.GetRequiredValue(to).FullName;
                var asJson = parse.GetValue(json);
                Func<IProgress<TransferProgress>?, Task<ReplicaBackup>> run;
                string startAgain;
                if (replica.ByConfig(parse))
                {
                    var standalone = replica.Standalone(parse);
                    var passphrase = KeyPassphrase.FromFileOrEnvironment(parse.GetValue(passphraseFile)?.FullName);
                    run = progress =>
                        standalone.BackupAsync(
                            target,
                            parse.GetValue(key)?.FullName,
                            passphrase,
                            progress,
                            cancellationToken
                        );
                    startAgain =
                        "start it again (its service, e.g. 'systemctl start cairn-replica', or 'cairn replica "
                        + $"--config {standalone.Config.SourcePath}')";
                }
                else
                {
                    var layout = replica.Layout(parse);
                    var maintenance = new ReplicaMaintenance(new ClusterRunner(layout, CommonOptions.SelfCommand()));
                    run = progress =>
                        maintenance.BackupAsync(
                            parse.GetValue(replica.Replica)!.Value,
                            target,
                            (staged, ct) =>
                                ReplicaBackupProcedure.CertifyFromClusterAsync(
                                    ClientConfig.Load(layout.OperatorConfig),
                                    ReplicaPublicKeys.Load(layout.KeysDirectory),
                                    staged,
                                    ct
                                ),
                            progress,
                            cancellationToken
                        );
                    startAgain = "left stopped";
                }

                var copy = await ProgressDisplay.RunAsync(console, asJson, "copying", run);
                var n = copy.Replica;
                var head = copy.Checkpoint;
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
                            lastBlockId = head.LastBlockId.Value,
                            seqNum = head.SeqNum.Value,
                            lastBlockDigest = head.LastBlockDigest.ToHex(),
                            stateDigest = head.StateDigest.ToHex(),
                            certifiedSeqNum = head.Certificate.Seq.Value,
                            extensionBlocks = copy.ExtensionBlocks,
                            signers = head.Certificate.Signers.Select(s => s.Value).ToArray(),
                            chainId = head.ChainId,
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
                        $"{CommonOptions.FormatBytes(copy.Manifest.TotalBytes)}, block {head.LastBlockId} "
                    );
                    console.MarkupLineInterpolated($"({head.LastBlockDigest.ToHex()[..16]}…)");
                    var signers = string.Join(", ", head.Certificate.Signers.Select(s => s.Value));
                    console.MarkupInterpolated(
                        $"[green]✓[/] certified at seq {head.Certificate.Seq} by replicas [[{signers}]], "
                    );
                    console.MarkupLineInterpolated(
                        $"{copy.ExtensionBlocks} extension blocks from block {head.LastBlockId}"
                    );
                    if (copy.Restarted)
                    {
                        console.MarkupLineInterpolated($"[green]✓[/] replica {n} restarted and healthy");
                    }
                    else
                    {
                        console.MarkupLineInterpolated($"replica {n} was not running; {startAgain}");
                    }
                }

                return 0;
            }
        );
        return backup;
    }
}
