using System.Globalization;
using Cairn.Backup;
using Cairn.FaultTests.Byzantine;

namespace Cairn.FaultTests.Scenarios;

/// <summary>One replica replaced by a <see cref="ByzantineReplica"/> for a while.</summary>
internal static class ByzantineFaultScripts
{
    /// <summary>The honest replicas keep serving while the liar equivocates, and no checkpoint they certify in the
    /// meantime carries the liar's signature (it only ever signed wrong digests).</summary>
    public static async Task LyingReplicaAsync(ScenarioContext context, TimeSpan duration, int checkpointWindow)
    {
        var cluster = context.Cluster;
        var liar = context.Random.Next(cluster.Replicas);
        context.Step(
            $"kill -9 replica {liar}; the test speaks for it with its key, lying, for {duration.TotalSeconds:0} s"
        );
        await cluster.KillAsync(liar);
        var from = History.HistoryRecorder.Now();
        var startSeq = (await cluster.StatusesAsync()).Max(s => s?.LastExecutedSeq ?? 0);
        var adversary = new ByzantineReplica(cluster, liar, checkpointWindow, new Random(context.Random.Next()));
        using (var stop = new CancellationTokenSource(duration))
        {
            await adversary.RunAsync(stop.Token);
        }

        var endSeq = (await cluster.StatusesAsync()).Max(s => s?.LastExecutedSeq ?? 0);
        var served = context.SucceededSince(from);
        context.Step(
            $"liar sent {adversary.Sent} signed lies ({adversary.Reconnects} connections reopened); honest replicas "
                + $"executed {startSeq} -> {endSeq}; {served} operations succeeded"
        );
        if (served == 0)
        {
            context.Problem("nothing succeeded while one replica lied");
        }

        if (adversary.Sent == 0)
        {
            context.Problem("the liar's connections never took a message: the scenario tested nothing");
        }

        var certified = 0;
        foreach (var replica in Enumerable.Range(0, cluster.Replicas).Where(r => r != liar))
        {
            foreach (var id in cluster.CompleteCheckpoints(replica))
            {
                var path = Path.Combine(
                    cluster.CheckpointDirectory(replica),
                    id.ToString(CultureInfo.InvariantCulture),
                    CheckpointMetadata.FileName
                );
                var metadata = CheckpointMetadata.Read(path);
                if (metadata.SeqNum.Value <= startSeq || metadata.SeqNum.Value > endSeq)
                {
                    continue;
                }

                certified++;
                if (metadata.Certificate.Signers.Any(s => s.Value == liar))
                {
                    context.Problem(
                        $"replica {replica}'s checkpoint {id} (seq {metadata.SeqNum.Value}) is certified with the "
                            + $"liar's signature"
                    );
                }
            }
        }

        context.Step($"{certified} checkpoints certified while it lied, none with its signature");
        if (certified == 0)
        {
            context.Problem(
                "no checkpoint was certified while the replica lied, so nothing showed its lies were kept out"
            );
        }
    }
}
