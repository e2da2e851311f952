using System.CommandLine;
using Cairn.Backup;
using Cairn.Client;
using Cairn.Consensus.Messages;
using Cairn.Node.LocalCluster;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn backup</c>: intermittent backup of one replica — stop it, copy its database, start it again,
/// and store with the copy a 2f+1 certificate that covers it, fetched from the cluster over the signed query
/// path.</summary>
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
            "Intermittent backup (backup_mode: intermittent): stop one replica, copy its database, restart it, and "
                + "store a 2f+1 certificate covering the copy with a SHA-256 manifest (verify and restore take it)."
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
                            (staged, ct) => CertifyAsync(layout, staged, ct),
                            progress,
                            cancellationToken
                        )
                );
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
                        $"{CheckpointCommand.FormatBytes(copy.Manifest.TotalBytes)}, block {head.LastBlockId} "
                    );
                    console.MarkupLineInterpolated($"({head.LastBlockDigest.ToHex()[..16]}…)");
                    var signers = string.Join(", ", head.Certificate.Signers.Select(s => s.Value));
                    console.MarkupInterpolated(
                        $"[green]✓[/] certified at seq {head.Certificate.Seq} by replicas [[{signers}]], "
                    );
                    console.MarkupLineInterpolated(
                        $"{copy.ExtensionBlocks} extension blocks from block {head.LastBlockId}"
                    );
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

    /// <summary>A certificate at or above the copy's last sequence number and the blocks leading to it, from the
    /// cluster (the replicas are asked to reach the next checkpoint boundary when they are not there yet).</summary>
    private static async Task<(StableCheckpointCertificate, ChainExtension)> CertifyAsync(
        ClusterLayout layout,
        IntermittentCopy copy,
        CancellationToken cancellationToken
    )
    {
        var keys = ReplicaPublicKeys.Load(layout.KeysDirectory);
        var client = new CertifiedChainClient(ClientConfig.Load(layout.OperatorConfig));
        var (certificate, blocks) = await client.FetchAsync(
            copy.Head.LastBlockId.Next,
            copy.Head.LastSeqNum,
            (c, b, complete) => IntermittentBackup.FindFetchProblem(copy, keys, c, b, complete),
            ReplicaMaintenance.CertificateStall,
            cancellationToken
        );
        return IntermittentBackup.Decode(certificate, blocks);
    }
}
