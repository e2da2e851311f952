using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.IntegrationTests;

/// <summary>A replica stopped as a service manager stops it (SIGTERM) in the middle of a DB checkpoint: it restarts
/// with only complete checkpoints, and every one it lists verifies.</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_replica_sent_SIGTERM_while_taking_a_checkpoint_restarts_with_every_listed_checkpoint_valid()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7910));
        var dir = cluster.Layout.Directory;
        var checkpoints = Path.Combine(cluster.Layout.ReplicaDataDirectory(1), "rocksdbdata", "checkpoints");
        await Eventually.TrueAsync(() => Directory.Exists(checkpoints), "replica 1's checkpoint directory");
        // The stop is sent the moment replica 1 starts writing a checkpoint (its '<id>.tmp' appears), so it lands
        // while the checkpoint is being created, verified or renamed into place.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(checkpoints);
        watcher.Created += (_, e) =>
        {
            if (e.Name?.Contains(".tmp", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        watcher.EnableRaisingEvents = true;
        await cluster.PutManyAsync("before", 40);

        var create = CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");
        await started.Task.WaitAsync(TestCluster.Patience, Ct);
        (await cluster.Runner.StopReplicaAsync(1, kill: false, TestCluster.Patience, Ct)).Should().BeTrue();
        (await create).ExitCode.Should().Be(0, "2f + 1 replicas still answer");
        File.ReadAllText(cluster.Layout.ReplicaLogFile(1)).Should().Contain("replica stopping");

        cluster.Runner.StartReplica(1);
        await cluster.WaitForAsync(s => s[1] is not null, TestCluster.Patience, "replica 1 answering again");
        var list = await CairnProcess.RunAsync("checkpoint", "list", "--cluster", dir, "--replica", "1", "--json");
        list.ExitCode.Should().Be(0, list.Error);
        using var listed = JsonDocument.Parse(list.Output);
        var rows = listed.RootElement.GetProperty("checkpoints").EnumerateArray().ToList();
        rows.Should().OnlyContain(r => r.GetProperty("good").GetBoolean(), "an interrupted checkpoint is never listed");
        Directory.GetDirectories(checkpoints, "*.tmp").Should().BeEmpty("the restart deletes interrupted checkpoints");
        foreach (var row in rows)
        {
            var verify = await CairnProcess.RunAsync(
                "checkpoint",
                "verify",
                row.GetProperty("directory").GetString()!,
                "--cluster",
                dir
            );
            verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        }
    }
}
