using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.IntegrationTests;

/// <summary>DB checkpoints on real replica processes: on demand, periodic and at the wedge point (switched off: <see
/// cref="OperatorRefusalTests"/>).</summary>
public sealed class DbCheckpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_demand_every_replica_takes_the_same_checkpoint_and_status_shows_them_side_by_side()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7700));
        await cluster.PutManyAsync("data", 40);
        var dir = cluster.Layout.Directory;

        var create = await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");

        create.ExitCode.Should().Be(0, create.Error);
        var created = Checkpoints(create.Output);
        created.Count.Should().BeGreaterThanOrEqualTo(3, "create returns once 2f + 1 replicas list the checkpoint");
        (created[0].SeqNum % TestCluster.CheckpointWindow).Should().Be(0);
        // The fourth may still be finalising its own on a busy machine.
        await Eventually.TrueAsync(
            async () => (created = await StatusAsync(dir)).Count == 4,
            "every replica listing the checkpoint"
        );
        created.Select(c => (c.Id, c.SeqNum, c.StateDigest, c.LastBlockDigest)).Distinct().Should().ContainSingle();
        foreach (var id in Enumerable.Range(0, 4))
        {
            var onDisk = Path.Combine(
                cluster.Layout.ReplicaDataDirectory(id),
                "rocksdbdata",
                "checkpoints",
                created[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            );
            File.Exists(Path.Combine(onDisk, "checkpoint.json")).Should().BeTrue();
        }

        await cluster.PutManyAsync("more", 10);
        // The operator tool orders and waits as 'cairn op' does.
        var second = await CairnProcess.RunOperatorToolAsync("dbCheckpoint", "create", "--cluster", dir, "--json");
        second.ExitCode.Should().Be(0, second.Error);
        var secondCreated = Checkpoints(second.Output);
        secondCreated.Count.Should().BeGreaterThanOrEqualTo(3, "cairn-op returns once 2f + 1 replicas list it");
        secondCreated.Should().AllSatisfy(c => c.SeqNum.Should().BeGreaterThan(created[0].SeqNum));
        // 'create' returns once 2f+1 replicas report; on a busy machine the fourth may still be finalising its
        // checkpoint.
        List<Row> listed = [];
        await Eventually.TrueAsync(
            async () => (listed = await StatusAsync(dir)).Count >= 8,
            "two checkpoints listed on each replica"
        );

        listed.Should().HaveCount(8, "two checkpoints on each of four replicas (num_of_rocksdbcheckpoints: 2)");
        listed
            .GroupBy(c => c.Id)
            .Should()
            .AllSatisfy(g => g.Select(c => c.StateDigest).Distinct().Should().ContainSingle());
        var viaTool = await CairnProcess.RunOperatorToolAsync("dbCheckpoint", "status", "--cluster", dir, "--json");
        viaTool.ExitCode.Should().Be(0, viaTool.Error);
        Checkpoints(viaTool.Output).Should().BeEquivalentTo(listed);
        var table = await CairnProcess.RunAsync("op", "dbCheckpoint", "status", "--cluster", dir);
        table.Output.Should().Contain("same on all").And.NotContain("DIGESTS DIFFER");
    }

    [Fact]
    public async Task Periodic_and_ordered_checkpoints_land_on_the_same_ids_on_a_replica_that_was_down_across_them()
    {
        const ulong periodic = 4 * TestCluster.CheckpointWindow;
        await using var cluster = await TestCluster.StartAsync(
            TestPorts.At(7710),
            new Dictionary<string, string>
            {
                ["db_checkpoint_duration"] = "1",
                ["dbcheckpoint_window"] = $"{periodic}",
                ["num_of_rocksdbcheckpoints"] = "3",
            }
        );
        var dir = cluster.Layout.Directory;
        await LoadUntilStableAsync(cluster, periodic, [0, 1, 2, 3]);
        // The first is due as soon as the window allows: each replica saw it coming a boundary ahead and flushed.
        await Eventually.TrueAsync(
            () =>
                File.ReadAllText(cluster.Layout.ReplicaLogFile(0))
                    .Contains($"DB checkpoint expected at seq {periodic}: the memtables flush ahead of it"),
            $"replica 0 flushing ahead of seq {periodic}"
        );
        (await cluster.Runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(5), Ct)).Should().BeTrue();

        // While replica 3 is down: the second periodic checkpoint and then one an operator orders.
        await LoadUntilStableAsync(cluster, 2 * periodic, [0, 1, 2]);
        var ordered = await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");
        ordered.ExitCode.Should().Be(0, ordered.Error);
        var target = Checkpoints(ordered.Output).Max(c => c.SeqNum);
        target.Should().BeLessThan(3 * periodic, "the order comes before the next periodic boundary");
        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);
        // Replica 3 rejoins (it caught up past the ordered checkpoint, which it never saw decided: it was down)...
        await LoadUntilStableAsync(cluster, target + TestCluster.CheckpointWindow, [0, 1, 2, 3]);
        // ...and the periodic rule counts from the ordered checkpoint, on every replica: the next is a period after it.
        await LoadUntilStableAsync(cluster, target + periodic, [0, 1, 2, 3]);
        await Eventually.TrueAsync(
            async () => (await StatusAsync(dir)).Count(c => c.SeqNum == target + periodic) == 4,
            $"every replica's checkpoint at seq {target + periodic}"
        );

        var listed = await StatusAsync(dir);
        listed.GroupBy(c => c.Replica).Should().AllSatisfy(g => g.Count().Should().BeLessThanOrEqualTo(3));
        listed
            .Where(c => c.Replica != 3)
            .GroupBy(c => c.Replica)
            .Should()
            .AllSatisfy(g => g.Select(c => c.SeqNum).Should().Contain([2 * periodic, target, target + periodic]));
        listed
            .Where(c => c.SeqNum > target)
            .Select(c => (c.Replica, c.SeqNum))
            .Should()
            .BeEquivalentTo(
                Enumerable.Range(0, 4).Select(r => (r, target + periodic)),
                "replica 3, down across a due and an ordered checkpoint, takes the next one where its peers do"
            );
        listed
            .GroupBy(c => c.Id)
            .Should()
            .AllSatisfy(g => g.Select(c => c.StateDigest).Distinct().Should().ContainSingle());
    }

    private static async Task LoadUntilStableAsync(TestCluster cluster, ulong seq, int[] replicas)
    {
        for (var round = 0; ; round++)
        {
            var statuses = await cluster.StatusesAsync();
            if (replicas.All(r => statuses[r] is { } s && s.LastStableSeq >= seq))
            {
                return;
            }

            // Small rounds, so that the load does not run far past the boundary it waits for.
            await cluster.PutManyAsync($"to-{seq}-{round}", 40);
        }
    }

    [Fact]
    public async Task Wedge_stop_takes_a_checkpoint_at_the_wedge_point_on_every_replica()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7720));
        var dir = cluster.Layout.Directory;
        (await CairnProcess.RunAsync("op", "wedge", "stop", "--cluster", dir)).ExitCode.Should().Be(0);
        var point = (await cluster.StatusesAsync())[0]!.WedgePoint;

        var status = Checkpoints(
            (await CairnProcess.RunAsync("op", "dbCheckpoint", "status", "--cluster", dir, "--json")).Output
        );

        status.Should().HaveCount(4).And.AllSatisfy(c => c.SeqNum.Should().Be(point));
    }

    private static async Task<List<Row>> StatusAsync(string dir)
    {
        var status = await CairnProcess.RunAsync("op", "dbCheckpoint", "status", "--cluster", dir, "--json");
        status.ExitCode.Should().Be(0, status.Error);
        return Checkpoints(status.Output);
    }

    private static List<Row> Checkpoints(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document
                .RootElement.GetProperty("replicas")
                .EnumerateArray()
                .Where(r => r.GetProperty("checkpoints").ValueKind == JsonValueKind.Array) // a replica that is down
                .SelectMany(r =>
                    r.GetProperty("checkpoints")
                        .EnumerateArray()
                        .Select(c => new Row(
                            r.GetProperty("replica").GetInt32(),
                            c.GetProperty("id").GetUInt64(),
                            c.GetProperty("seqNum").GetUInt64(),
                            c.GetProperty("stateDigest").GetString()!,
                            c.GetProperty("lastBlockDigest").GetString()!
                        ))
                ),
        ];
    }

    private sealed record Row(int Replica, ulong Id, ulong SeqNum, string StateDigest, string LastBlockDigest);
}
