using Cairn.Backup;
using Cairn.Cli.Commands;
using Cairn.Client;
using Cairn.Core;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Grpc;
using Spectre.Console;

namespace Cairn.Cli.Demo;

/// <summary>Act 4: a replica loses its disk while the cluster keeps committing; it is restored from a peer's checkpoint
/// (verified, installed, consensus metadata reset: what <c>cairn restore --from</c> does) and catches up by state
/// transfer to the same last block digest as its peers.</summary>
internal static class RestoreAct
{
    private const int Victim = 3;
    private const int Donor = 0;

    public static async Task RunAsync(DemoNarrator narrator, ClusterRunner runner, CancellationToken cancellationToken)
    {
        narrator.Act($"Act 4 — disaster on replica {Victim}: its disk is wiped; restore it from a checkpoint");
        var layout = runner.Layout;
        var config = ClientConfig.Load(layout.ClientConfig) with { RequestTimeout = TimeSpan.FromSeconds(30) };
        await narrator.StepAsync(
            $"Kill replica {Victim} (SIGKILL)",
            () => runner.StopReplicaAsync(Victim, kill: true, TimeSpan.FromSeconds(5), cancellationToken),
            _ => "3 of 4 replicas left: 2f + 1 = 3 still make progress"
        );
        var data = layout.ReplicaDataDirectory(Victim);
        narrator.Step(
            $"Wipe replica {Victim}'s disk (its database and its checkpoints)",
            () =>
            {
                var bytes = Directory
                    .EnumerateFiles(data, "*", SearchOption.AllDirectories)
                    .Sum(f => new FileInfo(f).Length);
                Directory.Delete(data, recursive: true);
                return bytes;
            },
            bytes => $"deleted {data} ({CommonOptions.FormatBytes(bytes)})"
        );
        await narrator.StepAsync(
            "Keep loading: 200 more puts with a replica gone",
            () =>
                LoadCommand.RunWithProgressAsync(
                    narrator.Console,
                    config,
                    new LoadOptions(200, 16, 1024),
                    cancellationToken
                ),
            r => $"{r.Completed:N0} committed, {r.Failed} failed, {r.ThroughputPerSecond:N0} req/s"
        );

        var donorCheckpoints = layout.LoadReplicaConfig(Donor).DbCheckpoints.Path;
        var donorIds =
            (await DbCheckpointCommand.QueryAsync(ClientConfig.Load(layout.OperatorConfig), cancellationToken))[Donor]
                .Status?.Checkpoints.Select(c => c.Id)
                .ToList()
            ?? [];
        var newest =
            donorIds.Count > 0
                ? new BlockId(donorIds.Max())
                : throw new ClusterRunException($"replica {Donor} has no checkpoint to restore from");
        var result = narrator.Step(
            $"Restore replica {Victim} from replica {Donor}'s checkpoint {newest} (cairn restore --from)",
            () =>
            {
                // The donor keeps running: pin its checkpoint so its retention leaves it while it is copied.
                using var pin = DbCheckpointFilePin.Acquire(donorCheckpoints, newest);
                return ProgressDisplay.Run(
                    narrator.Console,
                    json: false,
                    "restoring",
                    progress =>
                        new ReplicaMaintenance(runner).Restore(
                            Victim,
                            pin.CheckpointDirectory,
                            discardOld: false,
                            progress
                        )
                );
            },
            r =>
                $"verified ({r.Verification.Checks.Count(c => c.Passed is true)} checks), installed block "
                + $"{r.Checkpoint.LastBlockId} at seq {r.Checkpoint.SeqNum}: "
                + $"{r.LinkedFiles} files linked, {r.CopiedFiles} copied; consensus metadata of replica {Donor} removed"
                + (
                    r.ConsensusRecordsKept
                        ? ""
                        : $"; replica {Victim}'s own were lost with its disk, so it withholds its votes until it has "
                            + $"learned where its peers are"
                )
        );

        narrator.Step($"Start replica {Victim}", () => runner.StartReplica(Victim), pid => $"pid {pid}");
        var statuses = await narrator.StepAsync(
            $"Watch replica {Victim} catch up from block {result.Checkpoint.LastBlockId} (state transfer from its "
                + $"peers)",
            () => WaitCaughtUpAsync(narrator, config, cancellationToken),
            s => $"every replica at block {s[0]!.LastBlockId}"
        );
        ClusterAct.ShowStatus(narrator.Console, statuses);
    }

    private static async Task<ReplicaStatus?[]> WaitCaughtUpAsync(
        DemoNarrator narrator,
        ClientConfig config,
        CancellationToken cancellationToken
    )
    {
        return await narrator.ProgressAsync(
            "catching up",
            async report =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (true)
                {
                    var statuses = await Task.WhenAll(
                        config.Replicas.Select(r =>
                            ReplicaAdmin.StatusAsync(r, TimeSpan.FromSeconds(2), cancellationToken)
                        )
                    );
                    var target = statuses
                        .Where(s => s is not null)
                        .Select(s => s!.LastBlockId)
                        .DefaultIfEmpty(0UL)
                        .Max();
                    report(statuses[Victim]?.LastBlockId ?? 0, target);
                    if (
                        statuses.All(s => s is not null)
                        && statuses.Select(s => (s!.LastBlockId, s.LastBlockDigest)).Distinct().Count() == 1
                    )
                    {
                        return statuses;
                    }

                    if (DateTime.UtcNow > deadline)
                    {
                        throw new ClusterRunException(
                            $"replica {Victim} did not catch up within 60 s; see replica-{Victim}/replica.log"
                        );
                    }

                    await Task.Delay(200, cancellationToken);
                }
            }
        );
    }
}
