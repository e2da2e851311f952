using System.Diagnostics;
using System.Globalization;
using Cairn.Backup;
using Cairn.FaultTests.Cluster;

namespace Cairn.FaultTests.Scenarios;

/// <summary>kill -9 in the middle of the backup feature's work: a replica creating a DB checkpoint, a CLI exporting
/// one, a CLI restoring one. What survives must be complete: the post-scenario checks verify every
/// checkpoint.</summary>
internal static class CheckpointFaultScripts
{
    /// <summary>kill -9 replicas while they create a DB checkpoint (a <c>*.tmp</c> directory is in their checkpoint
    /// folder), restarting each; until <paramref name="kills"/> kills landed mid-creation.</summary>
    public static async Task KillDuringCreationAsync(ScenarioContext context, int kills)
    {
        var cluster = context.Cluster;
        var landed = 0;
        for (var attempt = 0; landed < kills && attempt < kills * 3; attempt++)
        {
            var victim = context.Random.Next(cluster.Replicas);
            var directory = cluster.CheckpointDirectory(victim);
            var during = await SeenAsync(
                () => Directory.Exists(directory) && Directory.EnumerateDirectories(directory, "*.tmp").Any(),
                () => false
            );
            await cluster.KillAsync(victim);
            landed += during ? 1 : 0;
            context.Step(
                during
                    ? $"kill -9 replica {victim} while it created a checkpoint"
                    : $"kill -9 replica {victim} (no checkpoint in progress seen in 30 s)"
            );
            await Task.Delay(TimeSpan.FromMilliseconds(context.Random.Next(200, 1500)));
            await cluster.StartReplicaAsync(victim, TimeSpan.FromSeconds(90));
        }

        context.Step($"{landed} kills landed during checkpoint creation");
        if (landed < kills)
        {
            context.Problem($"only {landed} of {kills} kills landed during checkpoint creation");
        }
    }

    /// <summary>kill -9 <c>cairn checkpoint export</c> at random instants while it writes (its <c>FILE.tmp</c> exists:
    /// a delay from the start alone landed after small exports had finished, or in the CLI's start-up); an archive left
    /// under its name must verify, and a last export must succeed.</summary>
    public static async Task KillDuringExportAsync(ScenarioContext context, int kills)
    {
        var cluster = context.Cluster;
        var exports = Directory.CreateDirectory(Path.Combine(cluster.Root, "exports")).FullName;
        var landed = 0;
        for (var attempt = 0; landed < kills && attempt < kills * 3; attempt++)
        {
            var replica = context.Random.Next(cluster.Replicas);
            var id = await NewestCheckpointAsync(cluster, replica);
            var archive = Path.Combine(
                exports,
                string.Create(CultureInfo.InvariantCulture, $"export-{attempt}.tar.gz")
            );
            using (
                var export = CliProcess.Start(
                    "checkpoint",
                    "export",
                    "--replica",
                    Text(replica),
                    "--cluster",
                    cluster.Layout.Directory,
                    "--id",
                    Text(id),
                    "--to",
                    archive
                )
            )
            {
                var delay = TimeSpan.FromMilliseconds(context.Random.Next(0, 100));
                var tmp = archive + ".tmp";
                if (await SeenAsync(() => File.Exists(tmp), () => export.HasExited))
                {
                    await Task.Delay(delay);
                }

                if (await export.KillAsync())
                {
                    landed++;
                    context.Step(
                        $"kill -9 export of replica {replica}'s checkpoint "
                            + $"{id}{(File.Exists(archive) ? " (archive already complete)" : "")}"
                    );
                }
            }

            if (File.Exists(archive))
            {
                await VerifyArchiveAsync(context, cluster, archive);
            }
        }

        context.Step($"{landed} kills landed during export");
        if (landed < kills)
        {
            context.Problem($"only {landed} of {kills} kills landed during an export");
        }

        var last = Path.Combine(exports, "final.tar.gz");
        var lastId = await NewestCheckpointAsync(cluster, 0);
        using var final = CliProcess.Start(
            "checkpoint",
            "export",
            "--replica",
            "0",
            "--cluster",
            cluster.Layout.Directory,
            "--id",
            Text(lastId),
            "--to",
            last
        );
        var (exit, _, error) = await final.WaitAsync(TimeSpan.FromMinutes(3));
        if (exit != 0)
        {
            context.Problem($"the export after the kills failed: {error.Trim()}");
            return;
        }

        await VerifyArchiveAsync(context, cluster, last);
    }

    /// <summary>Whether <paramref name="seen"/> held before <paramref name="over"/> did (or 30 s passed): a tight
    /// poll on its own thread, as a checkpoint's creation, or the export of a small one, takes milliseconds.</summary>
    private static Task<bool> SeenAsync(Func<bool> seen, Func<bool> over) =>
        Task.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            while (!over() && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (seen())
                {
                    return true;
                }

                Thread.Sleep(1);
            }

            return false;
        });

    /// <summary>Stops a replica, kill -9s <c>cairn restore</c> of its newest checkpoint while it works (once its staged
    /// database is there, at a random 0-100 ms after: verifying, installing, committing or rolling forward), then
    /// restores it for real and starts it: it must come back and converge (checked after the heal).</summary>
    public static async Task KillDuringRestoreAsync(ScenarioContext context, int kills)
    {
        var cluster = context.Cluster;
        var replica = context.Random.Next(cluster.Replicas);
        var id = await NewestCheckpointAsync(cluster, replica);
        context.Step($"kill -9 replica {replica}; restore its checkpoint {id}");
        await cluster.KillAsync(replica);
        var arguments = new[]
        {
            "restore",
            "--replica",
            Text(replica),
            "--cluster",
            cluster.Layout.Directory,
            "--checkpoint",
            Text(id),
        };
        var staging = cluster.DatabaseDirectory(replica) + ReplicaRestore.StagingSuffix;
        var landed = 0;
        for (var attempt = 0; landed < kills && attempt < kills * 3; attempt++)
        {
            var delay = TimeSpan.FromMilliseconds(context.Random.Next(0, 100));
            var stale = Directory.Exists(staging);
            using var restore = CliProcess.Start(arguments);
            // What an earlier kill left is removed first; the kill waits for this restore's own staged database.
            if (stale)
            {
                await SeenAsync(() => !Directory.Exists(staging), () => restore.HasExited);
            }

            if (await SeenAsync(() => Directory.Exists(staging), () => restore.HasExited))
            {
                await Task.Delay(delay);
            }

            if (await restore.KillAsync())
            {
                landed++;
            }
        }

        context.Step($"{landed} kills landed during restore");
        if (landed < kills)
        {
            context.Problem($"only {landed} of {kills} kills landed during a restore");
        }

        using var final = CliProcess.Start(arguments);
        var (exit, _, error) = await final.WaitAsync(TimeSpan.FromMinutes(3));
        if (exit != 0)
        {
            context.Problem($"the restore after the kills failed: {error.Trim()}");
        }

        context.Step($"restore completed (exit {exit}); start replica {replica}");
        await cluster.StartReplicaAsync(replica, TimeSpan.FromSeconds(90));
    }

    private static async Task VerifyArchiveAsync(ScenarioContext context, FaultCluster cluster, string archive)
    {
        using var verify = CliProcess.Start("checkpoint", "verify", archive, "--keys", cluster.Layout.KeysDirectory);
        var (exit, output, error) = await verify.WaitAsync(TimeSpan.FromMinutes(3));
        if (exit != 0)
        {
            context.Problem(
                $"{Path.GetFileName(archive)} is there under its name but does not verify: {error.Trim()} "
                    + $"{output.Trim()}"
            );
        }
    }

    /// <summary>The newest complete checkpoint of <paramref name="replica"/>, waiting for one to exist.</summary>
    private static async Task<ulong> NewestCheckpointAsync(FaultCluster cluster, int replica)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var ids = cluster.CompleteCheckpoints(replica);
            if (ids.Count > 0)
            {
                return ids[^1];
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"replica {replica} took no checkpoint within 2 minutes");
            }

            await Task.Delay(250);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
