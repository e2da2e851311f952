using AwesomeAssertions;
using Cairn.Client;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;

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
    public async Task The_cluster_commits_under_load_every_replica_holds_the_same_chain_and_a_full_restart_keeps_it()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7500));

        var keys = await cluster.PutManyAsync("load", 200);
        // The client proves its key on each session connection: the backups take its requests there without
        // checking their signatures (the primary checks every one: ClientSessionTests).
        var primary = (await cluster.StatusesAsync())[1]!.Primary;
        var backup = (primary + 1) % 4;
        var metrics = await cluster.MetricsAsync((int)backup);
        metrics.Should().MatchRegex(@"(?m)^cairn_consensus_client_requests_admitted\{by=""session""\} [1-9]");
        // The meter bridge exports Kestrel's meter, not the memory pool's, which measures every buffer (MeterExport).
        metrics.Should().MatchRegex(@"(?m)^microsoft_aspnetcore_server_kestrel_\w+\{.*\} [1-9]");
        metrics.Should().NotContain("memory_pool");

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

        // Every replica stopped and started again: nothing committed is lost.
        var before = await cluster.StatusesAsync();
        await cluster.Runner.DownAsync(TimeSpan.FromSeconds(10), Ct);
        (await cluster.StatusesAsync()).Should().AllSatisfy(s => s.Should().BeNull());
        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);

        var after = await cluster.StatusesAsync();
        for (var i = 0; i < 4; i++)
        {
            after[i]!.LastBlockId.Should().BeGreaterThanOrEqualTo(before[i]!.LastBlockId);
        }

        using var reader = cluster.Client(40);
        foreach (var key in keys.Where((_, i) => i % 10 == 0))
        {
            (await reader.GetAsync(TestCluster.Bytes(key), Ct)).Value.Should().Equal(TestCluster.Bytes("v:" + key));
        }

        (await reader.PutAsync(TestCluster.Bytes("after-restart"), TestCluster.Bytes("1"), Ct))
            .Block.Value.Should()
            .BeGreaterThan(before.Max(s => s!.LastBlockId));
    }

    [Fact]
    public async Task A_killed_backup_catches_up_after_restart_even_past_stable_checkpoints()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7510));
        await cluster.PutManyAsync("before", 20);

        (await cluster.Runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(5), Ct)).Should().BeTrue();
        // Two checkpoint windows go by while it is down, so the others garbage-collect the log it misses: it can only
        // catch up by state transfer (its peers keep no backlog of messages for it while it is unreachable, which it
        // could otherwise replay instead).
        var stableAtKill = (await cluster.StatusesAsync())[0]!.LastStableSeq;
        var twoWindows = 2UL * TestCluster.CheckpointWindow;
        for (var round = 0; (await cluster.StatusesAsync())[0]!.LastStableSeq < stableAtKill + twoWindows; round++)
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
        caughtUp[3]!.LastStableSeq.Should().BeGreaterThanOrEqualTo(stableAtKill + twoWindows);
        // The console logger writes from a queue of its own: the line can land after the status shows the catch-up.
        var log = cluster.Layout.ReplicaLogFile(3);
        await Eventually.TrueAsync(
            () => File.ReadAllText(log).Contains("state transfer installed", StringComparison.Ordinal),
            "replica 3 logging its state transfer"
        );
        (await cluster.MetricsAsync(0))
            .Should()
            .MatchRegex(@"(?m)^cairn_consensus_peer_messages_unsent\{peer=""3"",reason=""peer_unreachable""\} [1-9]");
    }

    [Fact]
    public async Task A_primary_killed_under_a_load_of_16_KB_values_is_replaced_and_every_write_commits()
    {
        // Large batches in flight when the primary dies: the view change must carry them by digest, within the
        // message bound (a VIEW-CHANGE carrying whole batches used to outgrow what replicas receive). The load runs as
        // `cairn load` does, 64 sessions sharing one connection per replica, so the dead primary's broken stream is
        // shared too (replacing it used to stall the whole client process).
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7520));
        await cluster.PutManyAsync("before", 10);
        var primary = (await cluster.StatusesAsync())[1]!.Primary;

        var load = LoadGenerator.RunAsync(cluster.ClientConfig, new LoadOptions(600, 64, 16 * 1024), null, Ct);
        await cluster.WaitForAsync(
            s => s[primary] is { LastExecutedSeq: > 20 },
            TestCluster.Patience,
            "the load under way"
        );
        await cluster.Runner.StopReplicaAsync(primary, kill: true, TimeSpan.FromSeconds(5), Ct);
        var report = await load;
        report.Failed.Should().Be(0, report.FirstError);
        var keys = await cluster.PutManyAsync("after", 20, sessions: 2);

        using var client = cluster.Client(30);
        (await client.GetAsync(TestCluster.Bytes(keys[^1]), Ct))
            .Value.Should()
            .Equal(TestCluster.Bytes("v:" + keys[^1]));
        var statuses = await cluster.StatusesAsync();
        statuses.Where((_, i) => i != primary).Should().AllSatisfy(s => s!.View.Should().BeGreaterThan(0));
    }

    [Fact]
    public async Task A_flood_of_unsigned_messages_from_a_rogue_replica_is_dropped_while_the_cluster_serves()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7530));
        var target = cluster.ClientConfig.Replicas[1];
        using var flood = new CancellationTokenSource();
        var flooding = FloodAsync(cluster, target, flood.Token);

        var keys = await cluster.PutManyAsync("flooded", 200);

        await flood.CancelAsync();
        (await flooding).Should().BeGreaterThan(1000, "the flood ran alongside the load");
        using var client = cluster.Client(50);
        (await client.GetAsync(TestCluster.Bytes(keys[^1]), Ct))
            .Value.Should()
            .Equal(TestCluster.Bytes("v:" + keys[^1]));
        var metrics = await cluster.MetricsAsync(1);
        metrics.Should().MatchRegex(@"(?m)^cairn_consensus_peer_messages_dropped\{reason=""bad_signature""\} [1-9]");
        metrics.Should().MatchRegex(@"(?m)^cairn_consensus_peer_messages_dropped\{reason=""malformed""\} [1-9]");
        metrics.Should().MatchRegex(@"(?m)^cairn_consensus_peer_messages_dropped\{reason=""not_from_sender""\} [1-9]");
        metrics.Should().MatchRegex(@"(?m)^cairn_consensus_view_complaints [0-9]+$");
    }

    /// <summary>Replica 2 turned rogue (its TLS identity, so the transport lets it in): a PREPARE in its name with no
    /// valid signature, a COMMIT (which travels unsigned) in replica 3's name, and garbage, as fast as its connection
    /// takes them; returns how many were sent.</summary>
    private static async Task<int> FloodAsync(TestCluster cluster, PeerEndpoint target, CancellationToken stop)
    {
        var forged = new byte[117]; // type, sender, view, seq, digest, signature of a PREPARE
        forged[0] = 2;
        forged[4] = 2;
        var impersonated = new Commit(
            new ViewNum(0),
            new SeqNum(1),
            Digest.Compute("a vote replica 3 never cast"u8),
            ConsensusGeneration.Genesis.Domain,
            new ReplicaId(3)
        ).Encode();
        var garbage = new byte[4096];
        Random.Shared.NextBytes(garbage);
        using var identity = TlsCertificateFiles.LoadIdentity(
            cluster.Layout.ReplicaTlsCertificate(2),
            cluster.Layout.ReplicaTlsKey(2),
            passphrase: null
        );
        var pins = ReplicaCertificatePins.Load(cluster.ClientConfig.Replicas);
        await using var link = await PeerLink.ConnectAsync(
            target.Host,
            target.Port,
            pins.Fingerprint(target.Id),
            identity,
            CancellationToken.None
        );
        var frames = new[] { Frames.Encode(forged), Frames.Encode(impersonated), Frames.Encode(garbage) };
        var sent = 0;
        while (!stop.IsCancellationRequested)
        {
            await link.WriteAsync(frames[sent % frames.Length], CancellationToken.None);
            sent++;
        }

        return sent;
    }
}
