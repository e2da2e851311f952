using Cairn.Core.Tests;

namespace Cairn.IntegrationTests;

/// <summary>One real cluster shared by <see cref="OperatorRefusalTests"/> (each test leaves it as it found it): the DB
/// checkpoint feature is off, replica 0 runs on an encrypted copy of its key (<c>key_passphrase_file</c>), and an
/// encrypted copy of the operator key sits next to the plain one. The keys are encrypted by the real openssl; without
/// it they stay plain and the encrypted-key test is skipped.</summary>
public sealed class OperatorRefusalCluster : IAsyncLifetime
{
    public const string Passphrase = "operator passphrase 7";

    private TestCluster? _cluster;

    internal TestCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    /// <summary>The operator key encrypted with <see cref="Passphrase"/> (null without openssl).</summary>
    public string? EncryptedOperatorKey { get; private set; }

    /// <summary>The file holding <see cref="Passphrase"/>, in the cluster directory.</summary>
    public string PassphraseFile => Path.Combine(Cluster.Layout.Directory, "passphrase");

    public async ValueTask InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync(
            TestPorts.At(7580),
            new Dictionary<string, string> { ["FEATURE_db_checkpoints"] = "false" },
            beforeStart: layout =>
            {
                if (!OpenSslTool.IsAvailable)
                {
                    return;
                }

                File.WriteAllText(Path.Combine(layout.Directory, "passphrase"), Passphrase + "\n");
                EncryptedOperatorKey = Encrypt(
                    layout.OperatorPrivateKey,
                    Path.Combine(layout.Directory, "operator_priv.enc.pem")
                );
                var replicaKey = layout.ReplicaPrivateKey(0);
                File.Move(Encrypt(replicaKey, replicaKey + ".enc"), replicaKey, overwrite: true);
                File.AppendAllText(layout.ReplicaConfig(0), "key_passphrase_file: ../passphrase\n");
            }
        );
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
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
