using System.Text.Json;
using AwesomeAssertions;

namespace Cairn.IntegrationTests;

/// <summary>Operator commands against real replica processes: the wedge cycle (bad commands: <see
/// cref="OperatorRefusalTests"/>).</summary>
public sealed class OperatorCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Wedge_stops_every_replica_at_one_seq_survives_a_restart_and_unwedge_resumes_in_a_new_epoch()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7570));
        await cluster.PutManyAsync("before", 20);
        var dir = cluster.Layout.Directory;

        var stop = await CairnProcess.RunAsync("op", "wedge", "stop", "--cluster", dir, "--json");
        stop.ExitCode.Should().Be(0, stop.Error);

        var statuses = await cluster.StatusesAsync();
        var point = statuses[0]!.WedgePoint;
        point.Should().BeGreaterThan(0);
        (point % TestCluster.CheckpointWindow).Should().Be(0);
        statuses.Should().AllSatisfy(s => (s!.WedgePoint, s.LastExecutedSeq).Should().Be((point, point)));

        var write = await CairnProcess.RunAsync("kv", "put", "during", "x", "--cluster", dir);
        write.ExitCode.Should().Be(1);
        write.Error.Should().Contain($"wedged at seq {point}");
        var read = await CairnProcess.RunAsync("kv", "get", "before-3", "--cluster", dir);
        read.ExitCode.Should().Be(0, read.Error);
        read.Output.Trim().Should().Be("v:before-3");

        await cluster.Runner.DownAsync(TimeSpan.FromSeconds(10), Ct);
        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);
        var wedgeStatus = await CairnProcess.RunAsync("op", "wedge", "status", "--cluster", dir);
        wedgeStatus.Output.Should().Contain("wedged");
        (await CairnProcess.RunAsync("kv", "put", "after-restart", "x", "--cluster", dir)).ExitCode.Should().Be(1);

        var unwedge = await CairnProcess.RunAsync("op", "unwedge", "--cluster", dir);
        unwedge.ExitCode.Should().Be(0, unwedge.Error);
        unwedge.Output.Should().Contain("epoch 1");
        (await CairnProcess.RunAsync("kv", "put", "after-unwedge", "x", "--cluster", dir)).ExitCode.Should().Be(0);
        (await cluster.StatusesAsync()).Should().AllSatisfy(s => (s!.WedgePoint, s.Epoch).Should().Be((0UL, 1UL)));

        // The epoch is shown by cluster status, wedge status and the metrics, and recorded by the next checkpoint.
        // A replica that does not answer a status query in time shows no figures (null): ask again until all four
        // did.
        await Eventually.TrueAsync(
            async () => EveryEpoch(await CairnProcess.RunAsync("cluster", "status", "--dir", dir, "--json"), r => r),
            "cluster status showing epoch 1 on all four replicas"
        );
        await Eventually.TrueAsync(
            async () =>
                EveryEpoch(
                    await CairnProcess.RunAsync("op", "wedge", "status", "--cluster", dir, "--json"),
                    r => r.GetProperty("status")
                ),
            "op wedge status showing epoch 1 on all four replicas"
        );
        for (var replica = 0; replica < 4; replica++)
        {
            (await cluster.MetricsAsync(replica)).Should().MatchRegex(@"(?m)^cairn_consensus_epoch(\{[^}]*\})? 1$");
        }

        var created = await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");
        created.ExitCode.Should().Be(0, created.Error);
        JsonReplicas(created)
            .SelectMany(r => r.GetProperty("checkpoints").EnumerateArray())
            .Select(c => c.GetProperty("epoch").GetInt64())
            .Should()
            .HaveCountGreaterThanOrEqualTo(3)
            .And.AllSatisfy(e => e.Should().Be(1));
    }

    /// <summary>True when all four replicas of <paramref name="run"/>'s JSON answered, with epoch 1 in the object
    /// <paramref name="status"/> picks from each; false when one did not answer (or none did: exit code 1); fails at
    /// once on another epoch.</summary>
    private static bool EveryEpoch(CairnProcess run, Func<JsonElement, JsonElement> status)
    {
        if (run.ExitCode != 0)
        {
            return false;
        }

        var replicas = JsonReplicas(run);
        replicas.Should().HaveCount(4);
        List<JsonElement> epochs =
        [
            .. replicas
                .Select(status)
                .Where(s => s.ValueKind == JsonValueKind.Object)
                .Select(s => s.GetProperty("epoch"))
                .Where(e => e.ValueKind != JsonValueKind.Null),
        ];
        epochs.Should().AllSatisfy(e => e.GetUInt64().Should().Be(1));
        return epochs.Count == 4;
    }

    private static List<JsonElement> JsonReplicas(CairnProcess run)
    {
        using var document = JsonDocument.Parse(run.Output);
        return [.. document.RootElement.GetProperty("replicas").EnumerateArray().Select(r => r.Clone())];
    }
}
