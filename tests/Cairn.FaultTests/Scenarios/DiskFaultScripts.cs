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
        var database = Path.Combine(cluster.Layout.ReplicaDataDirectory(replica), "rocksdbdata");
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

        File.Delete(ballast);
        context.Step($"freed the space ({tmpfs.FreeBytes} bytes free)");
        try
        {
            await WaitAsync(
                () => cluster.CompleteCheckpoints(replica).Any(id => id > newest),
                TimeSpan.FromMinutes(2),
                $"a new checkpoint on replica {replica}"
            );
            context.Step(
                $"replica {replica} checkpoints again: {string.Join(", ", cluster.CompleteCheckpoints(replica))}"
            );
        }
        catch (TimeoutException e)
        {
            context.Problem(e.Message);
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
