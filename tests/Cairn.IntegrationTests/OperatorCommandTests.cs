using AwesomeAssertions;
using Cairn.Client;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Operator;

namespace Cairn.IntegrationTests;

/// <summary>Operator commands against real replica processes: the wedge cycle, and every kind of bad command refused
/// by every replica with nothing changed.</summary>
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
        (point % 150).Should().Be(0);
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

    [Fact]
    public async Task Bad_operator_commands_are_refused_by_every_replica_and_change_nothing()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7580));
        var dir = cluster.Layout.Directory;
        var before = await cluster.StatusesAsync();

        // Signed with a key that is not the operator's.
        var foreignKey = Path.Combine(cluster.Root, "foreign_priv.pem");
        using (var foreign = SigningKey.Generate())
        {
            KeyFiles.SaveSigningKey(foreign, foreignKey);
        }

        var foreignWedge = await CairnProcess.RunAsync("op", "wedge", "stop", "--cluster", dir, "--key", foreignKey);
        foreignWedge.ExitCode.Should().Be(1);
        foreignWedge.Error.Should().Contain("not signed by this cluster's operator key");
        var foreignQuery = await CairnProcess.RunAsync("op", "wedge", "status", "--cluster", dir, "--key", foreignKey);
        foreignQuery.ExitCode.Should().Be(1);
        foreignQuery.Output.Should().Contain("refused: the command is not signed");

        // A missing key file: the CLI refuses before sending anything.
        var missingKey = await CairnProcess.RunAsync(
            "op",
            "unwedge",
            "--cluster",
            dir,
            "--key",
            Path.Combine(cluster.Root, "none.pem")
        );
        missingKey.ExitCode.Should().Be(1);
        missingKey.Error.Should().Contain("none.pem").And.NotContain("   at ");

        var operatorConfig = ClientConfig.Load(cluster.Layout.OperatorConfig);
        using var operatorKey = KeyFiles.LoadSigningKey(cluster.Layout.OperatorPrivateKey);
        using var client = new CairnClient(operatorConfig, session: 5);

        // A replayed command: the second copy is refused.
        var command = OperatorCommand.Create(OperatorCommandType.Unwedge, [], DateTimeOffset.UtcNow, operatorKey);
        OperatorResult
            .Decode((await client.SubmitAsync(command.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("not wedged");
        OperatorResult
            .Decode((await client.SubmitAsync(command.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("already used");

        // A tampered body (the type byte changed after signing) and an unknown command type.
        var tampered = OperatorCommand
            .Create(OperatorCommandType.DbCheckpointCreate, [], DateTimeOffset.UtcNow, operatorKey)
            .Encode();
        tampered[1] = (byte)OperatorCommandType.WedgeStop;
        OperatorResult
            .Decode((await client.SubmitAsync(tampered, RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("not signed");
        var unknown = OperatorCommand
            .Create(OperatorCommandType.WedgeStop, [], DateTimeOffset.UtcNow, operatorKey)
            .Encode();
        unknown[1] = 77;
        OperatorResult
            .Decode((await client.SubmitAsync(unknown, RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("unknown operator command type 77");

        // An operator command from a client key is not an operator request at all: the client's signature is for a
        // client id.
        var stale = OperatorCommand.Create(
            OperatorCommandType.WedgeStop,
            [],
            DateTimeOffset.UtcNow.AddHours(-1),
            operatorKey
        );
        OperatorResult
            .Decode((await client.SubmitAsync(stale.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("more than 300 s");

        var after = await cluster.StatusesAsync();
        after.Should().AllSatisfy(s => (s!.WedgePoint, s.Epoch).Should().Be((0UL, 0UL)));
        (await cluster.PutManyAsync("still-writable", 4)).Should().HaveCount(4);
        before.Should().NotBeNull();
    }
}
