using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.IntegrationTests;

/// <summary>DB checkpoints on real replica processes: on demand, periodic, at the wedge point, and switched
/// off.</summary>
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
        created.Should().HaveCount(4);
        created.Select(c => (c.Id, c.SeqNum, c.StateDigest, c.LastBlockDigest)).Distinct().Should().ContainSingle();
        (created[0].SeqNum % 150).Should().Be(0);
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
        (await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir)).ExitCode.Should().Be(0);
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
        var table = await CairnProcess.RunAsync("op", "dbCheckpoint", "status", "--cluster", dir);
        table.Output.Should().Contain("same on all").And.NotContain("DIGESTS DIFFER");
    }

    [Fact]
    public async Task Periodic_checkpoints_follow_the_policy_and_retention_keeps_the_newest()
    {
        await using var cluster = await TestCluster.StartAsync(
            TestPorts.At(7710),
            new Dictionary<string, string>
            {
                ["db_checkpoint_duration"] = "1",
                ["dbcheckpoint_window"] = "150",
                ["num_of_rocksdbcheckpoints"] = "2",
            }
        );

        var stable = 0UL;
        for (var round = 0; stable < 450; round++)
        {
            await cluster.PutManyAsync($"round-{round}", 80);
            stable = (await cluster.StatusesAsync()).Min(s => s?.LastStableSeq ?? 0);
        }

        var status = await CairnProcess.RunAsync(
            "op",
            "dbCheckpoint",
            "status",
            "--cluster",
            cluster.Layout.Directory,
            "--json"
        );
        var listed = Checkpoints(status.Output);
        listed.Should().NotBeEmpty();
        listed.GroupBy(c => c.Replica).Should().AllSatisfy(g => g.Count().Should().BeLessThanOrEqualTo(2));
        listed
            .Max(c => c.SeqNum)
            .Should()
            .BeGreaterThanOrEqualTo(300, "a checkpoint is due at every boundary once a second has passed");
        listed
            .GroupBy(c => c.Id)
            .Should()
            .AllSatisfy(g => g.Select(c => c.StateDigest).Distinct().Should().ContainSingle());
    }

    [Fact]
    public async Task Wedge_stop_takes_a_checkpoint_at_the_wedge_point_and_a_disabled_feature_takes_none()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7720));
        var dir = cluster.Layout.Directory;
        (await CairnProcess.RunAsync("op", "wedge", "stop", "--cluster", dir)).ExitCode.Should().Be(0);
        var point = (await cluster.StatusesAsync())[0]!.WedgePoint;

        var status = Checkpoints(
            (await CairnProcess.RunAsync("op", "dbCheckpoint", "status", "--cluster", dir, "--json")).Output
        );

        status.Should().HaveCount(4).And.AllSatisfy(c => c.SeqNum.Should().Be(point));

        await using var disabled = await TestCluster.StartAsync(
            TestPorts.At(7730),
            new Dictionary<string, string> { ["FEATURE_db_checkpoints"] = "false" }
        );
        var refused = await CairnProcess.RunAsync(
            "op",
            "dbCheckpoint",
            "create",
            "--cluster",
            disabled.Layout.Directory
        );
        refused.ExitCode.Should().Be(1);
        refused.Error.Should().Contain("the DB checkpoint feature is disabled");
        string[][] queries =
        [
            ["snapshot"],
            ["checkpoint", "hash", "--id", "150"],
            ["checkpoint", "read", "--id", "150", "k"],
            ["dbCheckpoint", "status"],
        ];
        foreach (var query in queries)
        {
            var answer = await CairnProcess.RunAsync(["op", .. query, "--cluster", disabled.Layout.Directory]);
            answer.ExitCode.Should().Be(1, string.Join(' ', query));
            answer.Error.Should().Contain("the DB checkpoint feature is disabled", string.Join(' ', query));
        }

        Directory
            .Exists(Path.Combine(disabled.Layout.ReplicaDataDirectory(0), "rocksdbdata", "checkpoints"))
            .Should()
            .BeFalse();
        await disabled.Runner.DownAsync(TimeSpan.FromSeconds(10), Ct);
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
