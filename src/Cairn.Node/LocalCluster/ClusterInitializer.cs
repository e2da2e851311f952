using System.Globalization;
using System.Text;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>
/// Creates a cluster directory: a key pair and a TLS certificate per replica, a client key pair, the operator key pair,
/// one <c>deployment.config</c> per replica and the operator's and client's configs, either all in one directory for a
/// cluster on this host or split into one bundle per host (see <see cref="ClusterLayout"/>). Everything is written into
/// a temporary sibling directory first and renamed into place, so a failed init leaves nothing behind.
/// </summary>
public static class ClusterInitializer
{
    /// <summary>Creates the cluster described by <paramref name="options"/>: a single-host cluster directory, or with
    /// the replicas' addresses (<c>--hosts</c> or the descriptor's <c>replicas</c>) one bundle per host under
    /// <see cref="ClusterLayout.BundlesDirectory"/>.</summary>
    /// <exception cref="ClusterInitException">When the directory already holds files, the replica count is not 3f +
    /// 1, or an address or port is not usable.</exception>
    /// <exception cref="ConfigException">When the descriptor is unreadable or a key in it is wrong.</exception>
    public static ClusterLayout Initialize(ClusterInitOptions options)
    {
        var target = Path.GetFullPath(options.Directory);
        var descriptor = options.DescriptorPath is null ? null : InfrastructureDescriptor.Load(options.DescriptorPath);
        if (options.Hosts is not null && descriptor?.Replicas is not null)
        {
            throw new ClusterInitException(
                $"--hosts and the replicas of {options.DescriptorPath}: give the replicas' addresses once"
            );
        }

        var addresses = options.Hosts ?? descriptor?.Replicas;
        var n = options.Replicas ?? addresses?.Count ?? ClusterInitOptions.DefaultReplicas;
        if (n < 4 || (n - 1) % 3 != 0)
        {
            throw new ClusterInitException(
                $"{n} replicas: a BFT cluster has n = 3f + 1 replicas with f ≥ 1 (4, 7, 10, ...)"
            );
        }

        if (addresses is not null && addresses.Count != n)
        {
            throw new ClusterInitException(
                $"--replicas {n} but {addresses.Count} addresses are given: name one address per replica"
            );
        }

        var endpoints = Endpoints(options, n, addresses);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new ClusterInitException(
                $"{target} is not empty; choose a new directory (an existing cluster's keys are never overwritten)"
            );
        }

        var staging = Path.Combine(
            Path.GetDirectoryName(target) ?? ".",
            $".{Path.GetFileName(target)}.init-{Environment.ProcessId}"
        );
        try
        {
            if (addresses is null)
            {
                Write(new ClusterLayout(staging), endpoints, descriptor?.NumDbSnapshots);
            }
            else
            {
                var whole = new ClusterLayout(Path.Combine(staging, "whole"));
                Write(whole, endpoints, descriptor?.NumDbSnapshots);
                SplitIntoBundles(whole, new ClusterLayout(staging), n);
                Directory.Delete(whole.Directory, recursive: true);
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return new ClusterLayout(target);
    }

    /// <summary>
    /// Creates the cluster described by <paramref name="options"/> as a new chain whose genesis state is checkpoint
    /// <paramref name="checkpoint"/>'s (a directory or an exported archive), verified first: with the source
    /// cluster's public keys in <paramref name="sourceKeysDirectory"/> every check must pass; without them every check
    /// but the certificate's.
    /// </summary>
    /// <exception cref="DbCheckpointException">When the checkpoint cannot be opened or does not verify.</exception>
    /// <exception cref="ClusterInitException">As <see cref="Initialize"/>.</exception>
    public static ClusterFromCheckpoint InitializeFromCheckpoint(
        ClusterInitOptions options,
        string checkpoint,
        string? sourceKeysDirectory
    )
    {
        ArgumentNullException.ThrowIfNull(options);
        using var source = CheckpointSource.Open(checkpoint);
        var sourceKeys = sourceKeysDirectory is null ? null : ReplicaPublicKeys.Load(sourceKeysDirectory);
        var verification = CheckpointVerifier.Verify(source.Directory, sourceKeys, requireManifest: source.IsArchive);
        if (sourceKeys is not null || verification.FirstFailure?.Name != CheckpointVerifier.CertificateCheck)
        {
            verification.ThrowIfFailed();
        }

        var metadata = verification.Metadata!;
        var layout = Initialize(options);
        var chainIds = new List<string>();
        foreach (var configPath in layout.AllReplicaConfigs())
        {
            var config = DeploymentConfigLoader.Load(configPath);
            GenesisFromCheckpoint.Seed(source.Directory, metadata, config.RocksDbPath, config.ChainId);
            chainIds.Add(config.ChainId);
        }

        return new ClusterFromCheckpoint(layout, chainIds[0], metadata, CertificateChecked: sourceKeys is not null);
    }

    /// <summary>Each replica's host and port: loopback and base port + id for a single-host cluster, else the given
    /// addresses (base port + id where an address names no port).</summary>
    private static List<(string Host, int Port)> Endpoints(
        ClusterInitOptions options,
        int n,
        IReadOnlyList<ReplicaAddress>? addresses
    )
    {
        var endpoints = Enumerable
            .Range(0, n)
            .Select(id =>
                addresses is null
                    ? (ClusterInitOptions.Host, options.BasePort + id)
                    : (addresses[id].Host, addresses[id].Port ?? options.BasePort + id)
            )
            .ToList();
        var taken = new HashSet<(string, int)>();
        foreach (var (id, (host, port)) in endpoints.Index())
        {
            var metrics = port + ClusterInitOptions.MetricsPortOffset;
            if (port < 1024 || metrics > 65535)
            {
                throw new ClusterInitException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"replica {id}'s port {port} (metrics {metrics}): ports must lie in 1024..65535 (set "
                            + $"--base-port or the address's port)"
                    )
                );
            }

            if (!taken.Add((host.ToUpperInvariant(), port)) || !taken.Add((host.ToUpperInvariant(), metrics)))
            {
                throw new ClusterInitException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"replica {id} at {host}:{port} (metrics {metrics}) shares a port with another replica on "
                            + $"that host: give each replica its own host or port"
                    )
                );
            }
        }

        return endpoints;
    }

    private static void Write(ClusterLayout layout, List<(string Host, int Port)> endpoints, int? snapshots)
    {
        Directory.CreateDirectory(layout.KeysDirectory);
        var f = (endpoints.Count - 1) / 3;
        for (var id = 0; id < endpoints.Count; id++)
        {
            Directory.CreateDirectory(layout.ReplicaDirectory(id));
            SaveKeyPair(layout.ReplicaPrivateKey(id), layout.ReplicaPublicKey(id));
            TlsCertificateFiles.CreateReplicaCertificate(
                id,
                endpoints[id].Host,
                layout.ReplicaTlsCertificate(id),
                layout.ReplicaTlsKey(id)
            );
        }

        SaveKeyPair(layout.OperatorPrivateKey, layout.OperatorPublicKey);
        SaveKeyPair(layout.ClientPrivateKey, layout.ClientPublicKey);

        var replicas = ReplicaList(endpoints);
        var chainId =
            "cairn-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        for (var id = 0; id < endpoints.Count; id++)
        {
            File.WriteAllText(
                layout.ReplicaConfig(id),
                DeploymentConfigText(id, f, chainId, endpoints[id].Port, replicas, snapshots)
            );
        }

        File.WriteAllText(
            layout.OperatorConfig,
            "# cairn op ...: the operator's key and the replicas it talks to (paths relative to this file)\n"
                + $"chain_id: {chainId}\noperator_private_key: operator_priv.pem\nf_val: {f}\n"
                + "request_timeout_millisec: "
                + $"{ClientConfigKeys.OperatorRequestTimeoutMillisec}\n"
                + replicas.Replace("../keys/", "keys/", StringComparison.Ordinal)
        );
        File.WriteAllText(
            layout.ClientConfig,
            "# cairn kv / load: the client's key and the replicas it talks to (paths relative to this file)\n"
                + $"client_private_key: client_priv.pem\nf_val: {f}\nrequest_timeout_millisec: "
                + $"{ClientConfigKeys.RequestTimeoutMillisec.Default}\n"
                + replicas.Replace("../keys/", "keys/", StringComparison.Ordinal)
        );
    }

    /// <summary>Moves each host's part of the whole cluster in <paramref name="whole"/> into its bundle under <paramref
    /// name="output"/>: private keys and configs are moved (never copied), public keys and TLS certificates copied into
    /// every bundle. Each bundle keeps the single-host layout's relative paths, so its configs load
    /// unchanged.</summary>
    private static void SplitIntoBundles(ClusterLayout whole, ClusterLayout output, int n)
    {
        for (var id = 0; id < n; id++)
        {
            var bundle = output.ReplicaBundle(id);
            Directory.CreateDirectory(bundle.ReplicaDirectory(id));
            File.Move(whole.ReplicaConfig(id), bundle.ReplicaConfig(id));
            File.Move(whole.ReplicaPrivateKey(id), bundle.ReplicaPrivateKey(id));
            File.Move(whole.ReplicaTlsKey(id), bundle.ReplicaTlsKey(id));
            CopyPublicKeys(whole, bundle, n);
            File.Copy(whole.OperatorPublicKey, bundle.OperatorPublicKey);
            File.Copy(whole.ClientPublicKey, bundle.ClientPublicKey);
        }

        var operatorBundle = output.OperatorBundle;
        CopyPublicKeys(whole, operatorBundle, n);
        File.Move(whole.OperatorConfig, operatorBundle.OperatorConfig);
        File.Move(whole.OperatorPrivateKey, operatorBundle.OperatorPrivateKey);

        var clientBundle = output.ClientBundle;
        CopyPublicKeys(whole, clientBundle, n);
        File.Move(whole.ClientConfig, clientBundle.ClientConfig);
        File.Move(whole.ClientPrivateKey, clientBundle.ClientPrivateKey);
    }

    private static void CopyPublicKeys(ClusterLayout from, ClusterLayout to, int n)
    {
        Directory.CreateDirectory(to.KeysDirectory);
        for (var id = 0; id < n; id++)
        {
            File.Copy(from.ReplicaPublicKey(id), to.ReplicaPublicKey(id));
            File.Copy(from.ReplicaTlsCertificate(id), to.ReplicaTlsCertificate(id));
        }
    }

    private static void SaveKeyPair(string privatePath, string publicPath)
    {
        using var key = SigningKey.Generate();
        KeyFiles.SaveSigningKey(key, privatePath);
        KeyFiles.SaveVerificationKey(key.PublicKey, publicPath);
    }

    private static string ReplicaList(List<(string Host, int Port)> endpoints)
    {
        var text = new StringBuilder("replicas:\n");
        foreach (var (id, (host, port)) in endpoints.Index())
        {
            text.Append(
                CultureInfo.InvariantCulture,
                // An IPv6 address is quoted: its colons would end a plain YAML scalar in a flow mapping.
                $"  - {{ id: {id}, host: {(host.Contains(':', StringComparison.Ordinal) ? $"\"{host}\"" : host)}, "
                    + $"port: {port}, public_key: ../keys/replica-{id}_pub.pem, "
                    + $"tls_certificate: ../keys/replica-{id}_tls.crt }}\n"
            );
        }

        return text.ToString();
    }

    private static string DeploymentConfigText(
        int id,
        int f,
        string chainId,
        int port,
        string replicas,
        int? snapshots
    ) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"""
            # Replica {id} of a Cairn cluster (written by 'cairn cluster init'; paths relative to this file).
            chain_id: {chainId}
            replica_id: {id}
            f_val: {f}
            data_dir: data
            replica_private_key: replica_priv.pem
            replica_tls_key: replica_tls_key.pem
            operator_public_key: ../operator_pub.pem
            client_public_keys: [ ../client_pub.pem ]
            metrics_port: {port + ClusterInitOptions.MetricsPortOffset}
            checkpoint_window_size: {ConsensusKeys.CheckpointWindowSize.Default}
            backup_mode: checkpoint

            # DB checkpoints (Concord's keys and defaults)
            FEATURE_db_checkpoints: true
            db_checkpoint_duration: {DbCheckpointKeys.DurationSeconds.Default}
            num_of_rocksdbcheckpoints: {snapshots ?? DbCheckpointKeys.MaxCheckpoints.Default}
            dbcheckpoint_window: {DbCheckpointKeys.Window.Default}
            db_checkpoint_diskspace_threshold: {DbCheckpointKeys.DiskSpaceThreshold.Default}
            db_checkpoint_path: "{new DbCheckpointSettings().Path}"

            {replicas}
            """
        );
}
