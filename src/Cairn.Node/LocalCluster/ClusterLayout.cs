using System.Globalization;
using Cairn.Backup;
using Cairn.Node.Configuration;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>Where everything of a local cluster lives under its directory (made by <see
/// cref="ClusterInitializer"/>).</summary>
/// <remarks>
/// <code>
/// D/operator_priv.pem, operator_pub.pem, operator.config   the operator's identity (cairn op ...)
/// D/client_priv.pem, client_pub.pem, client.config        the client's identity (cairn kv / load)
/// D/keys/replica-N_pub.pem, replica-N_tls.crt            every replica's public key and TLS certificate
/// D/replica-N/deployment.config, replica_priv.pem          one replica's config and private key
/// D/replica-N/replica_tls_key.pem                          its TLS certificate's private key
/// D/replica-N/data/                                        its data_dir (RocksDB in data/rocksdbdata)
/// D/replica-N/replica.pid, replica.log                     written by 'cairn cluster up'
/// </code>
/// A cluster laid out on several hosts (<c>cluster init --hosts</c>) holds one bundle per host instead, each a cluster
/// directory with only that host's part, so every command above works on the host from its bundle alone:
/// <code>
/// D/bundles/replica-N/   replica-N/deployment.config, replica-N/replica_priv.pem, replica-N/replica_tls_key.pem,
///                        keys/, operator_pub.pem, client_pub.pem
/// D/bundles/operator/    operator.config, operator_priv.pem, keys/
/// D/bundles/client/      client.config, client_priv.pem, keys/
/// </code>
/// </remarks>
public sealed record ClusterLayout(string Directory)
{
    public string OperatorPrivateKey => Path.Combine(Directory, "operator_priv.pem");

    public string OperatorPublicKey => Path.Combine(Directory, "operator_pub.pem");

    public string OperatorConfig => Path.Combine(Directory, "operator.config");

    public string ClientPrivateKey => Path.Combine(Directory, "client_priv.pem");

    public string ClientPublicKey => Path.Combine(Directory, "client_pub.pem");

    public string ClientConfig => Path.Combine(Directory, "client.config");

    public string KeysDirectory => Path.Combine(Directory, "keys");

    public string ReplicaPublicKey(int id) => Path.Combine(KeysDirectory, $"replica-{Id(id)}_pub.pem");

    /// <summary>Replica <paramref name="id"/>'s TLS certificate, which every config pins to its id.</summary>
    public string ReplicaTlsCertificate(int id) => Path.Combine(KeysDirectory, $"replica-{Id(id)}_tls.crt");

    public string ReplicaDirectory(int id) => Path.Combine(Directory, $"replica-{Id(id)}");

    public string ReplicaConfig(int id) => Path.Combine(ReplicaDirectory(id), "deployment.config");

    public string ReplicaPrivateKey(int id) => Path.Combine(ReplicaDirectory(id), "replica_priv.pem");

    /// <summary>The private key of <see cref="ReplicaTlsCertificate"/> (mode 0600).</summary>
    public string ReplicaTlsKey(int id) => Path.Combine(ReplicaDirectory(id), "replica_tls_key.pem");

    public string ReplicaDataDirectory(int id) => Path.Combine(ReplicaDirectory(id), "data");

    public string ReplicaPidFile(int id) => Path.Combine(ReplicaDirectory(id), "replica.pid");

    public string ReplicaLogFile(int id) => Path.Combine(ReplicaDirectory(id), "replica.log");

    public string BundlesDirectory => Path.Combine(Directory, "bundles");

    /// <summary>Present while a <c>cluster restore</c> has changed some replicas but not all: <c>cluster up</c>
    /// refuses then, and the restore run again finishes it.</summary>
    public string RestorePendingFile => Path.Combine(Directory, "cluster-restore.pending");

    /// <summary>The bundle to copy to replica <paramref name="id"/>'s host.</summary>
    public ClusterLayout ReplicaBundle(int id) => new(Path.Combine(BundlesDirectory, $"replica-{Id(id)}"));

    /// <summary>The bundle to copy to the operator's host.</summary>
    public ClusterLayout OperatorBundle => new(Path.Combine(BundlesDirectory, "operator"));

    /// <summary>The bundle to copy to the clients' hosts.</summary>
    public ClusterLayout ClientBundle => new(Path.Combine(BundlesDirectory, "client"));

    /// <summary>The replica ids present in the directory, from its replica-N folders.</summary>
    public IReadOnlyList<int> ReplicaIds() => IdsIn(Directory);

    /// <summary>The replica ids that have a bundle, from the bundles/replica-N folders.</summary>
    public IReadOnlyList<int> BundledReplicaIds() => IdsIn(BundlesDirectory);

    /// <summary>Every replica's deployment.config, by id: in its replica-N folder, or in its bundle when the cluster
    /// was laid out for several hosts.</summary>
    public IReadOnlyList<string> AllReplicaConfigs() =>
        ReplicaIds() is { Count: > 0 } local
            ? [.. local.Select(ReplicaConfig)]
            : [.. BundledReplicaIds().Select(id => ReplicaBundle(id).ReplicaConfig(id))];

    private static List<int> IdsIn(string directory) =>
        System.IO.Directory.Exists(directory)
            ?
            [
                .. System
                    .IO.Directory.GetDirectories(directory, "replica-*")
                    .Select(d =>
                        int.TryParse(
                            Path.GetFileName(d)["replica-".Length..],
                            NumberStyles.None,
                            CultureInfo.InvariantCulture,
                            out var id
                        )
                            ? id
                            : -1
                    )
                    .Where(id => id >= 0)
                    .Order(),
            ]
            : [];

    /// <summary>This layout, when its directory is a cluster directory (it has replica-N folders).</summary>
    /// <exception cref="DbCheckpointException">When it is not.</exception>
    public ClusterLayout RequireCluster() =>
        ReplicaIds().Count > 0
            ? this
            : throw new DbCheckpointException(
                Directory,
                "not a cluster directory (no replica-N folders; made by 'cairn cluster init')"
            );

    /// <summary>Replica <paramref name="id"/>'s <c>deployment.config</c>, loaded and validated.</summary>
    /// <exception cref="DbCheckpointException">When the directory is not a cluster or has no such replica.</exception>
    /// <exception cref="ConfigException">When the config is invalid.</exception>
    public DeploymentConfig LoadReplicaConfig(int id)
    {
        var ids = RequireCluster().ReplicaIds();
        if (!ids.Contains(id))
        {
            throw new DbCheckpointException(
                Directory,
                $"no replica {id} in this cluster (have {string.Join(", ", ids)})"
            );
        }

        return DeploymentConfigLoader.Load(ReplicaConfig(id));
    }

    /// <summary>Where replica <paramref name="id"/> keeps its own DB checkpoint
    /// <paramref name="checkpoint"/>.</summary>
    public string ReplicaCheckpoint(int id, ulong checkpoint) =>
        Path.Combine(LoadReplicaConfig(id).DbCheckpoints.Path, checkpoint.ToString(CultureInfo.InvariantCulture));

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
}
