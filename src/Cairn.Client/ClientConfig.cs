using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;

namespace Cairn.Client;

/// <summary>
/// A client's view of a cluster, read from <c>client.config</c> (or <c>operator.config</c>): the replicas, f, the
/// private key that signs requests and the request timeout. Paths resolve against the file's directory.
/// </summary>
public sealed record ClientConfig
{
    public required string SourcePath { get; init; }

    public required int F { get; init; }

    public required IReadOnlyList<PeerEndpoint> Replicas { get; init; }

    /// <summary>The chain the cluster runs (<c>chain_id</c>), which operator commands name and query answers are
    /// signed for; required in <c>operator.config</c>, not used by clients.</summary>
    public string? ChainId { get; init; }

    /// <summary>The key that signs requests (the client's, or the operator's).</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary>Decrypts <see cref="PrivateKeyPath"/> when it is an encrypted PKCS#8 key: by default the
    /// <c>CAIRN_KEY_PASSPHRASE</c> environment variable; the CLI's <c>--passphrase-file</c> replaces it.</summary>
    public KeyPassphrase? Passphrase { get; init; }

    /// <summary>Index of that key among the replicas' principals (0 is the operator, 1 the first client key).</summary>
    public required int KeyIndex { get; init; }

    /// <summary>How long one request may take, retransmissions included (the overall deadline); also how long one
    /// replica may take to answer an operator query.</summary>
    public TimeSpan RequestTimeout { get; init; } =
        TimeSpan.FromMilliseconds(ClientConfigKeys.RequestTimeoutMillisec.Default);

    /// <summary>How long one attempt waits for f+1 matching replies before the request is sent to every replica
    /// again; attempts repeat until <see cref="RequestTimeout"/>.</summary>
    public TimeSpan RetransmitTimeout { get; init; } =
        TimeSpan.FromMilliseconds(ClientConfigKeys.RetransmitTimeoutMillisec.Default);

    /// <summary>Reads <c>client.config</c> (key <c>client_private_key</c>) or <c>operator.config</c>
    /// (key <c>operator_private_key</c>).</summary>
    /// <exception cref="ConfigException">When the file or a key is wrong.</exception>
    public static ClientConfig Load(string path)
    {
        var root = ConfigFile.Load(path);
        var baseDir = Path.GetDirectoryName(root.File) ?? ".";
        string Resolve(string p) => Path.GetFullPath(p, baseDir);
        var isOperator = root.Has("operator_private_key");
        var f = ConfigFile.ReadF(root);
        var config = new ClientConfig
        {
            SourcePath = root.File,
            F = f,
            Replicas = ConfigFile.ReadReplicas(root, (3 * f) + 1, Resolve),
            PrivateKeyPath = Resolve(root.String(isOperator ? "operator_private_key" : "client_private_key")),
            ChainId = isOperator ? root.String("chain_id") : null,
            KeyIndex = isOperator ? 0 : 1,
            Passphrase = KeyPassphrase.FromEnvironment(),
            RequestTimeout = TimeSpan.FromMilliseconds(
                root.Int("request_timeout_millisec", ClientConfigKeys.RequestTimeoutMillisec)
            ),
            RetransmitTimeout = TimeSpan.FromMilliseconds(
                root.Int("retransmit_timeout_millisec", ClientConfigKeys.RetransmitTimeoutMillisec)
            ),
        };
        root.RejectUnknownKeys([
            .. isOperator ? ["chain_id"] : Array.Empty<string>(),
            "f_val",
            "replicas",
            "operator_private_key",
            "client_private_key",
            "request_timeout_millisec",
            "retransmit_timeout_millisec",
        ]);
        return config;
    }

    /// <summary>The replicas' public keys, in id order.</summary>
    /// <exception cref="KeyFileException">When a key file is missing or not an Ed25519 public key.</exception>
    public IReadOnlyList<VerificationKey> LoadReplicaKeys() =>
        [.. Replicas.Select(r => KeyFiles.LoadVerificationKey(r.PublicKeyPath))];
}
