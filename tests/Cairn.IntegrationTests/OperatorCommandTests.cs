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
        JsonReplicas(await CairnProcess.RunAsync("cluster", "status", "--dir", dir, "--json"))
            .Should()
            .HaveCount(4)
            .And.AllSatisfy(r => r.GetProperty("epoch").GetUInt64().Should().Be(1));
        JsonReplicas(await CairnProcess.RunAsync("op", "wedge", "status", "--cluster", dir, "--json"))
            .Should()
            .HaveCount(4)
            .And.AllSatisfy(r => r.GetProperty("status").GetProperty("epoch").GetUInt64().Should().Be(1));
        using var http = new HttpClient();
        for (var replica = 0; replica < 4; replica++)
        {
            var metrics = await http.GetStringAsync(
                new Uri($"http://127.0.0.1:{TestPorts.At(7570) + 100 + replica}/metrics"),
                Ct
            );
            metrics.Should().MatchRegex(@"(?m)^cairn_consensus_epoch(\{[^}]*\})? 1$");
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

    private static List<System.Text.Json.JsonElement> JsonReplicas(CairnProcess run)
    {
        using var document = System.Text.Json.JsonDocument.Parse(run.Output);
        return [.. document.RootElement.GetProperty("replicas").EnumerateArray().Select(r => r.Clone())];
    }
}
