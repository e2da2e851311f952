using AwesomeAssertions;
using Cairn.Protocol.Grpc;

namespace Cairn.IntegrationTests;

/// <summary>Real replica processes: commit under load, survive crashes of a backup and of the primary, and keep
/// every committed block across a full restart.</summary>
public sealed class ReplicationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool AllEqualAndAtLeast(ReplicaStatus?[] statuses, ulong seq) =>
        statuses.All(s => s is not null && s.LastExecutedSeq >= seq)
        && statuses.Select(s => (s!.LastBlockId, s.LastBlockDigest)).Distinct().Count() == 1;

    [Fact]
    public async Task The_cluster_commits_under_load_and_every_replica_holds_the_same_chain()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7500));

        var keys = await cluster.PutManyAsync("load", 200);

        using var client = cluster.Client(20);
        foreach (var key in keys.Take(20))
        {
            (await client.GetAsync(TestCluster.Bytes(key), Ct)).Value.Should().Equal(TestCluster.Bytes("v:" + key));
        }

        var statuses = await cluster.StatusesAsync();
        var target = statuses.Max(s => s!.LastExecutedSeq);
        await cluster.WaitForAsync(
            s => AllEqualAndAtLeast(s, target),
            TestCluster.Patience,
            "all replicas at one digest"
        );
    }

    [Fact]
    public async Task A_killed_backup_catches_up_after_restart_even_past_stable_checkpoints()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7510));
        await cluster.PutManyAsync("before", 20);

        (await cluster.Runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(5), Ct)).Should().BeTrue();
        // Two checkpoint windows (2 x 150 sequence numbers) go by while it is down, so the others garbage-collect the
        // log it misses: it can only catch up by state transfer.
        var stableAtKill = (await cluster.StatusesAsync())[0]!.LastStableSeq;
        for (var round = 0; (await cluster.StatusesAsync())[0]!.LastStableSeq < stableAtKill + 300; round++)
        {
            await cluster.PutManyAsync($"while-down-{round}", 100);
        }

        cluster.Runner.StartReplica(3);

        var running = (await cluster.StatusesAsync())[0]!.LastExecutedSeq;
        var caughtUp = await cluster.WaitForAsync(
            s => AllEqualAndAtLeast(s, running),
            TestCluster.Patience,
            "replica 3 catching up"
        );
        caughtUp[3]!.LastStableSeq.Should().BeGreaterThanOrEqualTo(stableAtKill + 300);
        File.ReadAllText(cluster.Layout.ReplicaLogFile(3)).Should().Contain("state transfer installed");
    }

    [Fact]
    public async Task A_killed_primary_causes_a_view_change_and_the_cluster_goes_on()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7520));
        await cluster.PutManyAsync("before", 10);
        var primary = (await cluster.StatusesAsync())[1]!.Primary;

        await cluster.Runner.StopReplicaAsync(primary, kill: true, TimeSpan.FromSeconds(5), Ct);
        var keys = await cluster.PutManyAsync("after", 20, sessions: 2);

        using var client = cluster.Client(30);
        (await client.GetAsync(TestCluster.Bytes(keys[^1]), Ct))
            .Value.Should()
            .Equal(TestCluster.Bytes("v:" + keys[^1]));
        var statuses = await cluster.StatusesAsync();
        statuses.Where((_, i) => i != primary).Should().AllSatisfy(s => s!.View.Should().BeGreaterThan(0));
    }

    [Fact]
    public async Task A_full_restart_keeps_every_committed_block()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7530));
        var keys = await cluster.PutManyAsync("durable", 100);
        var before = await cluster.StatusesAsync();

        await cluster.Runner.DownAsync(TimeSpan.FromSeconds(10), Ct);
        (await cluster.StatusesAsync()).Should().AllSatisfy(s => s.Should().BeNull());
        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);

        var after = await cluster.StatusesAsync();
        for (var i = 0; i < 4; i++)
        {
            after[i]!.LastBlockId.Should().BeGreaterThanOrEqualTo(before[i]!.LastBlockId);
        }

        using var client = cluster.Client(40);
        foreach (var key in keys.Where((_, i) => i % 10 == 0))
        {
            (await client.GetAsync(TestCluster.Bytes(key), Ct)).Value.Should().Equal(TestCluster.Bytes("v:" + key));
        }

        (await client.PutAsync(TestCluster.Bytes("after-restart"), TestCluster.Bytes("1"), Ct))
            .Block.Value.Should()
            .BeGreaterThan(before.Max(s => s!.LastBlockId));
    }
}
