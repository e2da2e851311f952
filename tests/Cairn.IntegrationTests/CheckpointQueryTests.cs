using System.Text.Json;
using AwesomeAssertions;
using Cairn.Client;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Operator;

namespace Cairn.IntegrationTests;

/// <summary>Checkpoint queries over the operator API against real replica processes, on one shared cluster: snapshot
/// creates the first checkpoint, signed hashes, reads as of a checkpoint after the key was overwritten, bad input, and
/// all of it with f replicas down. Epochs are checked in <see cref="OperatorCommandTests"/>, which already wedges and
/// unwedges.</summary>
public sealed class CheckpointQueryTests
{
    private const int BasePort = 7590;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Snapshot_hash_and_read_answer_signed_and_agreed_refuse_bad_input_and_survive_f_replicas_down()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(BasePort));
        var dir = cluster.Layout.Directory;
        using (var client = cluster.Client())
        {
            await client.PutAsync(TestCluster.Bytes("k"), TestCluster.Bytes("v1"), Ct);
        }

        // No checkpoint yet: op snapshot orders one at the next stable seq and returns it.
        var snapshot = Json(await Run("op", "snapshot", "--cluster", dir, "--json"));
        snapshot.GetProperty("created").GetBoolean().Should().BeTrue();
        var id = snapshot.GetProperty("snapshot").GetProperty("id").GetUInt64();
        snapshot.GetProperty("snapshot").GetProperty("seqNum").GetUInt64().Should().Be(TestCluster.CheckpointWindow);
        snapshot.GetProperty("snapshot").GetProperty("estimatedKeys").GetInt64().Should().BePositive();
        snapshot
            .GetProperty("replicas")
            .EnumerateArray()
            .Count(r =>
                r.GetProperty("newest") is { ValueKind: JsonValueKind.Object } n
                && n.GetProperty("id").GetUInt64() == id
            )
            .Should()
            .BeGreaterThanOrEqualTo(2, "f+1 replicas report the checkpoint it returns");
        await EveryReplicaListsAsync(cluster, id);
        Json(await Run("op", "snapshot", "--cluster", dir, "--json"))
            .GetProperty("created")
            .GetBoolean()
            .Should()
            .BeFalse("a checkpoint exists now");

        // Read as of the checkpoint after the key was overwritten: the checkpoint's value, not the live one.
        using (var client = cluster.Client())
        {
            await client.PutAsync(TestCluster.Bytes("k"), TestCluster.Bytes("v2"), Ct);
        }

        var read = Json(
            await Run("op", "checkpoint", "read", "--id", $"{id}", "k", "never-written", "--cluster", dir, "--json")
        );
        var keys = read.GetProperty("keys").EnumerateArray().ToList();
        (keys[0].GetProperty("agreed").GetBoolean(), keys[0].GetProperty("value").GetString())
            .Should()
            .Be((true, "v1"));
        (keys[1].GetProperty("agreed").GetBoolean(), keys[1].GetProperty("found").GetBoolean())
            .Should()
            .Be((true, false));
        read.GetProperty("replicas")
            .EnumerateArray()
            .Should()
            .AllSatisfy(r => r.GetProperty("answered").GetBoolean().Should().BeTrue());
        using (var client = cluster.Client())
        {
            (await client.GetAsync(TestCluster.Bytes("k"), Ct)).Value.Should().Equal(TestCluster.Bytes("v2"));
        }

        // Hash: n answers, n distinct signatures, each valid under its own replica's key only, over one digest.
        var config = ClientConfig.Load(cluster.Layout.OperatorConfig);
        var replicaKeys = config.LoadReplicaKeys();
        var hash = await new CheckpointQueryClient(config).HashAsync(new BlockId(id), Ct);
        hash.Consistent.Should().BeTrue();
        hash.Rows.Should().HaveCount(4).And.AllSatisfy(r => r.Verified.Should().BeTrue(r.Problem));
        hash.Rows.Select(r => r.Statement!.Signature).Distinct().Should().HaveCount(4);
        hash.Rows.Select(r => r.Statement!.StateDigest).Distinct().Should().ContainSingle();
        hash.Rows.Should()
            .AllSatisfy(r =>
            {
                r.Statement!.Verify(replicaKeys[r.Replica]).Should().BeTrue();
                r.Statement.Verify(replicaKeys[(r.Replica + 1) % 4]).Should().BeFalse();
            });
        var hashJson = Json(await Run("op", "checkpoint", "hash", "--id", $"{id}", "--cluster", dir, "--json"));
        hashJson.GetProperty("agreedDigest").GetString().Should().Be(hash.AgreedDigest!.Value.ToHex());
        snapshot
            .GetProperty("snapshot")
            .GetProperty("stateDigest")
            .GetString()
            .Should()
            .Be(hash.AgreedDigest!.Value.ToHex());

        await BadInputIsRefusedAndChangesNothingAsync(cluster, id);

        // f replicas down: answers from n - f, the missing one shown as such.
        await cluster.Runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(5), Ct);
        var downHash = Json(await Run("op", "checkpoint", "hash", "--id", $"{id}", "--cluster", dir, "--json"));
        downHash.GetProperty("consistent").GetBoolean().Should().BeTrue();
        downHash.GetProperty("replicas")[3].GetProperty("problem").GetString().Should().Be("no answer");
        downHash
            .GetProperty("replicas")
            .EnumerateArray()
            .Count(r => r.GetProperty("verified").GetBoolean())
            .Should()
            .Be(3);
        var downRead = Json(await Run("op", "checkpoint", "read", "--id", $"{id}", "k", "--cluster", dir, "--json"));
        downRead.GetProperty("keys")[0].GetProperty("value").GetString().Should().Be("v1");
        downRead.GetProperty("replicas")[3].GetProperty("problem").GetString().Should().Be("no answer");
        var downSnapshot = Json(await Run("op", "snapshot", "--cluster", dir, "--json"));
        downSnapshot.GetProperty("snapshot").GetProperty("id").GetUInt64().Should().Be(id);
        downSnapshot.GetProperty("replicas")[3].GetProperty("problem").GetString().Should().Be("no answer");

        // An on-demand checkpoint with a replica down is done once the 2f+1 that answer have it: the CLI does not wait
        // for the replica that is down (its --timeout is longer than CairnProcess's 3-minute limit, so waiting fails).
        var created = await Run("op", "dbCheckpoint", "create", "--timeout", "600", "--cluster", dir);
        created.Output.Should().Contain("no answer");
    }

    /// <summary>Waits until every replica finalised checkpoint <paramref name="id"/> (some may lag the f+1 that
    /// answered first).</summary>
    private static async Task EveryReplicaListsAsync(TestCluster cluster, ulong id)
    {
        var queries = new CheckpointQueryClient(ClientConfig.Load(cluster.Layout.OperatorConfig));
        await Eventually.TrueAsync(
            async () => (await queries.SnapshotAsync(TimeSpan.Zero, Ct)).Rows.All(r => r.Newest?.Id == id),
            $"every replica listing checkpoint {id}"
        );
    }

    private static async Task BadInputIsRefusedAndChangesNothingAsync(TestCluster cluster, ulong id)
    {
        var dir = cluster.Layout.Directory;
        var before = await cluster.StatusesAsync();

        var unknown = await CairnProcess.RunAsync(
            "op",
            "checkpoint",
            "hash",
            "--id",
            "999999",
            "--cluster",
            dir,
            "--json"
        );
        unknown.ExitCode.Should().Be(1);
        Json(unknown.Output)
            .GetProperty("replicas")
            .EnumerateArray()
            .Should()
            .AllSatisfy(r =>
                r.GetProperty("problem").GetString().Should().StartWith($"no such checkpoint 999999 (have: {id}")
            );
        var unknownRead = await CairnProcess.RunAsync(
            "op",
            "checkpoint",
            "read",
            "--id",
            "999999",
            "k",
            "--cluster",
            dir
        );
        unknownRead.ExitCode.Should().Be(1);
        unknownRead.Output.Should().Contain("replica 0: no such checkpoint 999999");

        foreach (var bad in new[] { "-1", "abc" })
        {
            var refused = await CairnProcess.RunAsync("op", "checkpoint", "hash", "--id", bad, "--cluster", dir);
            refused.ExitCode.Should().Be(2);
            refused
                .Error.Should()
                .Contain($"--id '{bad}' is not a checkpoint id: give a whole number")
                .And.NotContain("   at ");
        }

        var tooLong = await CairnProcess.RunAsync(
            "op",
            "checkpoint",
            "read",
            "--id",
            $"{id}",
            new string('x', CheckpointQuery.MaxKeySize + 1),
            "--cluster",
            dir
        );
        tooLong.ExitCode.Should().Be(1);
        tooLong.Error.Should().Contain($"a key is 1 to {CheckpointQuery.MaxKeySize} bytes").And.NotContain("   at ");

        // The same oversized key signed and sent anyway: every replica refuses it.
        var config = ClientConfig.Load(cluster.Layout.OperatorConfig);
        var operatorClient = new OperatorClient(config);
        var oversized = operatorClient.SignQuery(
            OperatorCommandType.CheckpointRead,
            new CheckpointQuery(new BlockId(id), [new byte[CheckpointQuery.MaxKeySize + 1]]).Encode()
        );
        (await operatorClient.QueryAsync(oversized, TestCluster.Patience, Ct))
            .Should()
            .AllSatisfy(a =>
                a.Refusal.Should()
                    .Contain("malformed checkpoint query")
                    .And.Contain($"1 to {CheckpointQuery.MaxKeySize} bytes")
            );

        var foreignKey = Path.Combine(cluster.Root, "foreign_priv.pem");
        using (var foreign = SigningKey.Generate())
        {
            KeyFiles.SaveSigningKey(foreign, foreignKey);
        }

        var foreignQuery = await CairnProcess.RunAsync(
            "op",
            "checkpoint",
            "read",
            "--id",
            $"{id}",
            "k",
            "--cluster",
            dir,
            "--key",
            foreignKey,
            "--json"
        );
        foreignQuery.ExitCode.Should().Be(1);
        Json(foreignQuery.Output)
            .GetProperty("replicas")
            .EnumerateArray()
            .Should()
            .AllSatisfy(r =>
                r.GetProperty("problem")
                    .GetString()
                    .Should()
                    .Be("the command is not signed by this cluster's operator key")
            );

        var after = await cluster.StatusesAsync();
        after
            .Select(s => (s!.LastExecutedSeq, s.LastBlockDigest))
            .Should()
            .Equal(before.Select(s => (s!.LastExecutedSeq, s.LastBlockDigest)));
    }

    private static async Task<CairnProcess> Run(params string[] args)
    {
        var run = await CairnProcess.RunAsync(args);
        run.ExitCode.Should().Be(0, $"cairn {string.Join(' ', args)} failed: {run.Error}");
        return run;
    }

    private static JsonElement Json(CairnProcess run) => Json(run.Output);

    private static JsonElement Json(string output)
    {
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
