using Cairn.Backup;
using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Core;
using Cairn.Node.LocalCluster;

namespace Cairn.Cli.Demo;

/// <summary>Act 6: disaster recovery and audit — export a running replica's checkpoint as one archive, verify it with
/// nothing but the replicas' public keys, and inspect what it holds (what <c>cairn checkpoint export|verify|inspect</c>
/// do).</summary>
internal static class ArchiveAct
{
    private const int Source = 1;

    public static async Task RunAsync(
        DemoNarrator narrator,
        ClusterRunner runner,
        string root,
        CancellationToken cancellationToken
    )
    {
        narrator.Act("Act 6 — a backup off the node: export, verify and inspect an archive");
        var layout = runner.Layout;
        var checkpoints =
            (await DbCheckpointCommand.QueryAsync(ClientConfig.Load(layout.OperatorConfig), cancellationToken))[Source]
                .Status
                ?.Checkpoints
            ?? [];
        var id =
            checkpoints.Count > 0
                ? new BlockId(checkpoints.Max(c => c.Id))
                : throw new ClusterRunException($"replica {Source} has no checkpoint to export");
        var archive = Path.Combine(root, $"replica-{Source}-{id}.tar.gz");
        narrator.Step(
            $"Export replica {Source}'s checkpoint {id} while it runs (cairn checkpoint export)",
            () =>
                ProgressDisplay.Run(
                    narrator.Console,
                    json: false,
                    "exporting",
                    progress =>
                        CheckpointArchive.ExportPinned(
                            layout.LoadReplicaConfig(Source).DbCheckpoints.Path,
                            id,
                            archive,
                            progress
                        )
                ),
            m =>
                $"{archive}: {m.Files.Count} files, {CommonOptions.FormatBytes(m.TotalBytes)} → "
                + $"{CommonOptions.FormatBytes(new FileInfo(archive).Length)}, a SHA-256 manifest; pinned while "
                + $"read"
        );

        var keys = ReplicaPublicKeys.Load(layout.KeysDirectory);
        var report = narrator.Step(
            "Verify the archive with only the replicas' public keys (cairn checkpoint verify)",
            () => CheckpointCommand.VerifyPath(archive, keys, progress: null),
            r =>
                r.Passed
                    ? $"checkpoint {r.Metadata!.Id} at seq {r.Metadata.SeqNum} is the agreed state of chain "
                        + $"'{r.Metadata.ChainId}'"
                    : "FAILED"
        );
        CheckpointCommand.PrintChecks(narrator.Console, report);
        report.ThrowIfFailed();

        var inspection = narrator.Step(
            "Inspect it (cairn checkpoint inspect)",
            () =>
            {
                using var source = CheckpointSource.Open(archive);
                return (Path: source.Path, Inspection: CheckpointInspector.Inspect(source.Directory, keys));
            },
            i =>
                $"{i.Inspection.Blocks:N0} blocks, {i.Inspection.Keys:N0} keys, signed by replicas "
                + $"{string.Join(", ", i.Inspection.ValidSigners ?? [])}"
        );
        CheckpointCommand.PrintInspection(narrator.Console, inspection.Path, inspection.Inspection);
    }
}
