using System.Diagnostics;
using Cairn.FaultTests.Cluster;

namespace Cairn.FaultTests.Scenarios;

/// <summary>A nearly full file system under a replica's checkpoints: the disk guard skips and says so, the replica
/// keeps serving, and checkpoints resume once space is freed.</summary>
internal static class DiskFaultScripts
{
    private const string SkipMetric = "cairn_backup_db_checkpoints_skipped";

    /// <param name="replica">The replica whose <c>db_checkpoint_path</c> is on <paramref name="tmpfs"/>.</param>
    public static async Task NearlyFullCheckpointFileSystemAsync(ScenarioContext context, int replica, TmpfsMount tmpfs)
    {
        var cluster = context.Cluster;
        var other = (replica + 1) % cluster.Replicas;
        // Both: the other replica's newest checkpoint is the mark it must move past while this one is full.
        await WaitAsync(
            () => cluster.CompleteCheckpoints(replica).Count > 0 && cluster.CompleteCheckpoints(other).Count > 0,
            TimeSpan.FromMinutes(2),
            $"the first checkpoint of replicas {replica} and {other}"
        );

        // On another file system a checkpoint copies the whole database: the guard skips when free − db < 0.5 × db.
        var database = cluster.DatabaseDirectory(replica);
        var dbBytes = Directory.GetFiles(database).Sum(f => new FileInfo(f).Length);
        var ballast = tmpfs.Fill("ballast", tmpfs.FreeBytes - (long)(1.2 * dbBytes));
        var newest = cluster.CompleteCheckpoints(replica)[^1];
        var skips = await cluster.MetricAsync(replica, SkipMetric, "LowDiskSpace");
        var othersNewest = cluster.CompleteCheckpoints(other)[^1];
        var filled = History.HistoryRecorder.Now();
        context.Step(
            $"filled replica {replica}'s checkpoint file system: {tmpfs.FreeBytes} bytes free for a {dbBytes}-byte "
                + $"database; its newest checkpoint {newest}"
        );

        // Two more checkpoints on a peer: replica reached (at least) those boundaries with too little space.
        await WaitAsync(
            () => cluster.CompleteCheckpoints(other).Count(id => id > othersNewest) >= 2,
            TimeSpan.FromMinutes(2),
            $"two more checkpoints on replica {other}"
        );
        var skipsAfter = await cluster.MetricAsync(replica, SkipMetric, "LowDiskSpace");
        var newestAfter = cluster.CompleteCheckpoints(replica).DefaultIfEmpty(0UL).Max();
        context.Step(
            $"while full: replica {other} checkpointed past {othersNewest}; replica {replica} newest {newestAfter}, "
                + $"LowDiskSpace skips {skips} -> {skipsAfter}; {context.SucceededSince(filled)} operations succeeded"
        );
        if (skipsAfter <= skips)
        {
            context.Problem($"the disk guard of replica {replica} reported no LowDiskSpace skip");
        }

        if (newestAfter != newest)
        {
            context.Problem($"replica {replica} took checkpoint {newestAfter} with too little space");
        }

        if (context.SucceededSince(filled) == 0)
        {
            context.Problem("nothing succeeded while a replica's checkpoint disk was full");
        }

        var othersAtFree = cluster.CompleteCheckpoints(other).DefaultIfEmpty(0UL).Max();
        File.Delete(ballast);
        context.Step($"freed the space ({tmpfs.FreeBytes} bytes free)");
        try
        {
            await WaitAsync(
                () => cluster.CompleteCheckpoints(replica).Count(id => id > othersAtFree) >= 2,
                TimeSpan.FromMinutes(2),
                $"two new checkpoints on replica {replica}"
            );
            context.Step(
                $"replica {replica} checkpoints again: {string.Join(", ", cluster.CompleteCheckpoints(replica))}"
            );
            await ExpectSameCheckpointsAsync(context, replica, other, othersAtFree);
        }
        catch (TimeoutException e)
        {
            context.Problem(e.Message);
        }
    }

    /// <summary>The skipped checkpoints do not shift the later ones: after the space is back, the replica takes its
    /// checkpoints at the same ids as its peer (the decision is in the replicated state, see
    /// docs/architecture.md).</summary>
    private static async Task ExpectSameCheckpointsAsync(ScenarioContext context, int replica, int other, ulong after)
    {
        var cluster = context.Cluster;
        var upTo = cluster.CompleteCheckpoints(replica).Max();
        await WaitAsync(
            () => cluster.CompleteCheckpoints(other).DefaultIfEmpty(0UL).Max() >= upTo,
            TimeSpan.FromMinutes(2),
            $"replica {other} finalising its checkpoints up to {upTo}"
        );
        var mine = cluster.CompleteCheckpoints(replica).Where(id => id > after && id <= upTo).ToList();
        var theirs = cluster.CompleteCheckpoints(other).Where(id => id > after && id <= upTo).ToList();
        context.Step(
            $"checkpoints after {after}: replica {replica} [{string.Join(", ", mine)}], replica {other} "
                + $"[{string.Join(", ", theirs)}]"
        );
        if (!mine.SequenceEqual(theirs))
        {
            context.Problem($"replica {replica}'s checkpoints after the skips are not at its peers' ids");
        }
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(250);
        }
    }
}
