using System.Globalization;
using System.Text;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>
/// Creates a local cluster directory: a key pair per replica, a client key pair, the operator key pair, one
/// <c>deployment.config</c> per replica and the operator's and client's configs. Everything is written into a
/// temporary sibling directory first and renamed into place, so a failed init leaves nothing behind.
/// </summary>
public static class ClusterInitializer
{
    /// <summary>Creates the cluster described by <paramref name="options"/>.</summary>
    /// <exception cref="ClusterInitException">When the directory already holds files or the replica count is not 3f +
    /// 1.</exception>
    public static ClusterLayout Initialize(ClusterInitOptions options)
    {
        var target = Path.GetFullPath(options.Directory);
        if (options.Replicas < 4 || (options.Replicas - 1) % 3 != 0)
        {
            throw new ClusterInitException(
                $"--replicas {options.Replicas}: a BFT cluster has n = 3f + 1 replicas with f ≥ 1 (4, 7, 10, ...)"
            );
        }

        if (
            options.BasePort < 1024
            || options.BasePort + ClusterInitOptions.MetricsPortOffset + options.Replicas > 65535
        )
        {
            throw new ClusterInitException(
                $"--base-port {options.BasePort}: ports {options.BasePort} to "
                    + $"{options.BasePort + ClusterInitOptions.MetricsPortOffset + options.Replicas - 1} must lie in "
                    + $"1024..65535"
            );
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new ClusterInitException(
                $"{target} is not empty; choose a new directory (an existing cluster's keys are never overwritten)"
            );
        }

        var snapshots = options.DescriptorPath is null
            ? null
            : InfrastructureDescriptor.Load(options.DescriptorPath).NumDbSnapshots;
        var staging = Path.Combine(
            Path.GetDirectoryName(target) ?? ".",
            $".{Path.GetFileName(target)}.init-{Environment.ProcessId}"
        );
        try
        {
            Write(new ClusterLayout(staging), options, snapshots);
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
        foreach (var id in layout.ReplicaIds())
        {
            var config = DeploymentConfigLoader.Load(layout.ReplicaConfig(id));
            GenesisFromCheckpoint.Seed(source.Directory, metadata, config.RocksDbPath, config.ChainId);
            chainIds.Add(config.ChainId);
        }

        return new ClusterFromCheckpoint(layout, chainIds[0], metadata, CertificateChecked: sourceKeys is not null);
    }

    private static void Write(ClusterLayout layout, ClusterInitOptions options, int? snapshots)
    {
        Directory.CreateDirectory(layout.KeysDirectory);
        var f = (options.Replicas - 1) / 3;
        for (var id = 0; id < options.Replicas; id++)
        {
            Directory.CreateDirectory(layout.ReplicaDirectory(id));
            SaveKeyPair(layout.ReplicaPrivateKey(id), layout.ReplicaPublicKey(id));
        }

        SaveKeyPair(layout.OperatorPrivateKey, layout.OperatorPublicKey);
        SaveKeyPair(layout.ClientPrivateKey, layout.ClientPublicKey);

        var replicas = ReplicaList(options);
        var chainId =
            "cairn-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        for (var id = 0; id < options.Replicas; id++)
        {
            File.WriteAllText(
                layout.ReplicaConfig(id),
                DeploymentConfigText(id, f, chainId, options, replicas, snapshots)
            );
        }

        File.WriteAllText(
            layout.OperatorConfig,
            "# cairn op ...: the operator's key and the replicas it talks to (paths relative to this file)\n"
                + $"operator_private_key: operator_priv.pem\nf_val: {f}\nrequest_timeout_millisec: "
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

    private static void SaveKeyPair(string privatePath, string publicPath)
    {
        using var key = SigningKey.Generate();
        KeyFiles.SaveSigningKey(key, privatePath);
        KeyFiles.SaveVerificationKey(key.PublicKey, publicPath);
    }

    private static string ReplicaList(ClusterInitOptions options)
    {
        var text = new StringBuilder("replicas:\n");
        for (var id = 0; id < options.Replicas; id++)
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"  - {{ id: {id}, host: {ClusterInitOptions.Host}, port: {options.BasePort + id}, public_key: "
                    + $"../keys/replica-{id}_pub.pem }}\n"
            );
        }

        return text.ToString();
    }

    private static string DeploymentConfigText(
        int id,
        int f,
        string chainId,
        ClusterInitOptions options,
        string replicas,
        int? snapshots
    ) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"""
            # Replica {id} of a local Cairn cluster (written by 'cairn cluster init'; paths relative to this file).
            chain_id: {chainId}
            replica_id: {id}
            f_val: {f}
            data_dir: data
            replica_private_key: replica_priv.pem
            operator_public_key: ../operator_pub.pem
            client_public_keys: [ ../client_pub.pem ]
            metrics_port: {options.BasePort + ClusterInitOptions.MetricsPortOffset + id}
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
