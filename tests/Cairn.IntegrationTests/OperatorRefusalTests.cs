using System.Text.Json;
using AwesomeAssertions;
using Cairn.Client;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Core.Tests;
using Cairn.Operator;

namespace Cairn.IntegrationTests;

/// <summary>What replicas and the CLI refuse, on one shared real cluster (<see cref="OperatorRefusalCluster"/>): bad
/// operator commands, refused by every replica with nothing changed; an encrypted operator key without its passphrase
/// (and with it, accepted); the commands of the switched-off DB checkpoint feature.</summary>
public sealed class OperatorRefusalTests(OperatorRefusalCluster shared) : IClassFixture<OperatorRefusalCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_operator_commands_are_refused_by_every_replica_and_change_nothing()
    {
        var cluster = shared.Cluster;
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
        var chainId = operatorConfig.ChainId!;
        using var client = new CairnClient(operatorConfig, session: 5);

        // A replayed command: the second copy is refused.
        var command = OperatorCommand.Create(
            OperatorCommandType.Unwedge,
            chainId,
            [],
            DateTimeOffset.UtcNow,
            operatorKey
        );
        OperatorResult
            .Decode((await client.SubmitAsync(command.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("not wedged");
        OperatorResult
            .Decode((await client.SubmitAsync(command.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("already used");

        // Signed by this cluster's operator key, but for another chain the same key may run.
        var otherChain = OperatorCommand.Create(
            OperatorCommandType.WedgeStop,
            "cairn-000000000000",
            [],
            DateTimeOffset.UtcNow,
            operatorKey
        );
        OperatorResult
            .Decode((await client.SubmitAsync(otherChain.Encode(), RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Be(
                $"the command is for chain 'cairn-000000000000', not this replica's chain '{chainId}' (the operator "
                    + "config's chain_id)"
            );

        // A tampered body (the type byte changed after signing) and an unknown command type.
        var tampered = OperatorCommand
            .Create(OperatorCommandType.DbCheckpointCreate, chainId, [], DateTimeOffset.UtcNow, operatorKey)
            .Encode();
        tampered[1] = (byte)OperatorCommandType.WedgeStop;
        OperatorResult
            .Decode((await client.SubmitAsync(tampered, RequestFlags.Operator, Ct)).Result.Span)
            .Message.Should()
            .Contain("not signed");
        var unknown = OperatorCommand
            .Create(OperatorCommandType.WedgeStop, chainId, [], DateTimeOffset.UtcNow, operatorKey)
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
            chainId,
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

    [Fact]
    public async Task An_encrypted_operator_key_signs_op_commands_and_a_wrong_or_missing_passphrase_is_refused_cleanly()
    {
        Assert.SkipUnless(
            OpenSslTool.IsAvailable,
            "openssl is not installed: the encrypted keys under test are made by it"
        );
        var cluster = shared.Cluster;
        var operatorKey = shared.EncryptedOperatorKey;
        var passphraseFile = shared.PassphraseFile;
        var dir = cluster.Layout.Directory;
        File.ReadAllText(cluster.Layout.ReplicaPrivateKey(0))
            .Should()
            .StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

        var status = await CairnProcess.RunAsync(
            "op",
            "wedge",
            "status",
            "--cluster",
            dir,
            "--key",
            operatorKey!,
            "--passphrase-file",
            passphraseFile!,
            "--json"
        );

        status.ExitCode.Should().Be(0, status.Error);
        using (var document = JsonDocument.Parse(status.Output))
        {
            document
                .RootElement.GetProperty("replicas")
                .EnumerateArray()
                .Select(r => r.GetProperty("answered").GetBoolean())
                .Should()
                .Equal([true, true, true, true], "every replica checks the operator's signature before it answers");
        }

        var wrongFile = Path.Combine(dir, "wrong-passphrase");
        File.WriteAllText(wrongFile, "not it\n");
        var wrong = await CairnProcess.RunAsync(
            "op",
            "wedge",
            "status",
            "--cluster",
            dir,
            "--key",
            operatorKey!,
            "--passphrase-file",
            wrongFile
        );
        wrong.ExitCode.Should().Be(1);
        wrong
            .Error.Should()
            .Be(
                $"error: {operatorKey}: cannot decrypt the private key with the passphrase from passphrase file "
                    + $"{wrongFile} (wrong passphrase?)\n"
            );
        wrong.Output.Should().BeEmpty();

        var missing = await CairnProcess.RunAsync(
            "op",
            "dbCheckpoint",
            "create",
            "--cluster",
            dir,
            "--key",
            operatorKey!
        );
        missing.ExitCode.Should().Be(1);
        missing
            .Error.Should()
            .StartWith($"error: {operatorKey}: the private key is encrypted and no passphrase was given");
        missing.Error.TrimEnd().Split('\n').Should().ContainSingle();

        // The same replica with a wrong passphrase file stops before it opens anything, in one line naming its key.
        var badConfig = Path.Combine(cluster.Layout.ReplicaDirectory(0), "wrong-passphrase.config");
        File.WriteAllText(
            badConfig,
            File.ReadAllText(cluster.Layout.ReplicaConfig(0))
                .Replace(
                    "key_passphrase_file: ../passphrase",
                    "key_passphrase_file: ../wrong-passphrase",
                    StringComparison.Ordinal
                )
        );
        var replica = await CairnProcess.RunAsync("replica", "--config", badConfig);
        replica.ExitCode.Should().Be(1);
        replica
            .Error.Should()
            .Be(
                $"error: {cluster.Layout.ReplicaPrivateKey(0)}: cannot decrypt the private key with the passphrase "
                    + $"from passphrase file {wrongFile} (wrong passphrase?)\n"
            );
    }

    [Fact]
    public async Task The_switched_off_DB_checkpoint_feature_refuses_its_commands_and_takes_no_checkpoint()
    {
        var disabled = shared.Cluster;
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
    }
}
