using System.Text.Json;
using AwesomeAssertions;
using Cairn.Core.Tests;

namespace Cairn.IntegrationTests;

/// <summary>Encrypted PKCS#8 keys, made by the real openssl, on real processes: a replica whose key is encrypted starts
/// with <c>key_passphrase_file</c>, and <c>cairn op</c> signs with an encrypted operator key given
/// <c>--passphrase-file</c>; a missing or wrong passphrase is refused in one line.</summary>
public sealed class EncryptedKeyTests
{
    private const string Passphrase = "operator passphrase 7";

    [Fact]
    public async Task An_encrypted_operator_key_signs_op_commands_and_a_wrong_or_missing_passphrase_is_refused_cleanly()
    {
        Assert.SkipUnless(
            OpenSslTool.IsAvailable,
            "openssl is not installed: the encrypted keys under test are made by it"
        );
        string? operatorKey = null;
        string? passphraseFile = null;
        await using var cluster = await TestCluster.StartAsync(
            TestPorts.At(7900),
            beforeStart: layout =>
            {
                passphraseFile = Path.Combine(layout.Directory, "passphrase");
                File.WriteAllText(passphraseFile, Passphrase + "\n");
                operatorKey = Encrypt(
                    layout.OperatorPrivateKey,
                    Path.Combine(layout.Directory, "operator_priv.enc.pem")
                );
                // Replica 0 runs with only the encrypted form of its key.
                var replicaKey = layout.ReplicaPrivateKey(0);
                File.Move(Encrypt(replicaKey, replicaKey + ".enc"), replicaKey, overwrite: true);
                File.AppendAllText(layout.ReplicaConfig(0), "key_passphrase_file: ../passphrase\n");
            }
        );
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

    private static string Encrypt(string plainKey, string encryptedKey)
    {
        OpenSslTool.Run(
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            plainKey,
            "-out",
            encryptedKey,
            "-passout",
            $"pass:{Passphrase}"
        );
        return encryptedKey;
    }
}
