using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Core;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Configuration;

/// <summary>
/// Reads a replica's <c>deployment.config</c> (YAML <c>key: value</c>, Concord's key names) and validates all of it
/// before anything starts: wrong types, unknown keys, values out of range and contradictions fail with a
/// <see cref="ConfigException"/> naming the file, the key and what is accepted.
/// </summary>
public static class DeploymentConfigLoader
{
    private static readonly string[] AcceptedKeys =
    [
        "chain_id",
        "replica_id",
        "f_val",
        "replicas",
        "data_dir",
        "replica_private_key",
        "replica_tls_key",
        "key_passphrase_file",
        "operator_public_key",
        "client_public_keys",
        "metrics_port",
        "checkpoint_window_size",
        "max_num_of_requests_in_batch",
        "max_batch_size_in_bytes",
        "batch_flush_period",
        "concurrency_level",
        "view_change_timer_millisec",
        "max_request_size",
        "backup_mode",
        "FEATURE_db_checkpoints",
        "db_checkpoint_duration",
        "num_of_rocksdbcheckpoints",
        "dbcheckpoint_window",
        "db_checkpoint_diskspace_threshold",
        "db_checkpoint_path",
    ];

    /// <summary>Reads and validates the config file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">When the file is unreadable or any key is wrong.</exception>
    public static DeploymentConfig Load(string path) => Read(ConfigFile.Load(path));

    /// <summary>Parses config text; relative paths resolve against the directory of <paramref
    /// name="sourcePath"/>.</summary>
    /// <exception cref="ConfigException">When any key is wrong.</exception>
    public static DeploymentConfig Parse(string yaml, string sourcePath) =>
        Read(ConfigFile.Parse(yaml, Path.GetFullPath(sourcePath)));

    private static DeploymentConfig Read(YamlMappingReader root)
    {
        var sourcePath = root.File;
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(sourcePath)) ?? ".";
        string Resolve(string path) => Path.GetFullPath(path, baseDir);

        var f = ConfigFile.ReadF(root);
        var n = (3 * f) + 1;
        var replicaId = root.Int("replica_id", 0, int.MaxValue);
        var replicas = ConfigFile.ReadReplicas(root, n, Resolve);
        if (replicaId >= n)
        {
            throw root.Error(
                "replica_id",
                $"{replicaId} is out of range: accepted 0 to {n - 1} (n = 3 × f_val + 1 = {n})"
            );
        }

        var metricsPort = root.Int("metrics_port", DeploymentKeys.MetricsPort);
        if (metricsPort != 0 && metricsPort == replicas[replicaId].Port)
        {
            throw root.Error(
                "metrics_port",
                $"{metricsPort} is replica {replicaId}'s own port in replicas: use another port, or 0 for none"
            );
        }

        var dataDir = Resolve(root.String("data_dir"));
        var backupMode = root.Enum("backup_mode", BackupMode.Checkpoint);
        var checkpoints = ReadDbCheckpoints(root, backupMode, dataDir);
        var config = new DeploymentConfig
        {
            SourcePath = sourcePath,
            ChainId = root.OptionalString("chain_id") ?? DeploymentConfig.DefaultChainId,
            ReplicaId = new ReplicaId(replicaId),
            F = f,
            Replicas = replicas,
            DataDir = dataDir,
            PrivateKeyPath = Resolve(root.String("replica_private_key")),
            TlsPrivateKeyPath = Resolve(root.String("replica_tls_key")),
            KeyPassphrasePath = root.OptionalString("key_passphrase_file") is { } passphraseFile
                ? Resolve(passphraseFile)
                : null,
            OperatorPublicKeyPath = Resolve(root.String("operator_public_key")),
            ClientPublicKeyPaths = root.Sequence("client_public_keys", required: false)
                .Select((item, i) => Resolve(root.ItemString("client_public_keys", item, i)))
                .ToList(),
            MetricsPort = metricsPort,
            CheckpointWindowSize = root.Int("checkpoint_window_size", ConsensusKeys.CheckpointWindowSize),
            MaxRequestsInBatch = root.Int("max_num_of_requests_in_batch", ConsensusKeys.MaxRequestsInBatch),
            BatchFlushPeriodMs = root.Int("batch_flush_period", ConsensusKeys.BatchFlushPeriodMs),
            ConcurrencyLevel = root.Int("concurrency_level", ConsensusKeys.ConcurrencyLevel),
            ViewChangeTimeoutMs = root.Int("view_change_timer_millisec", ConsensusKeys.ViewChangeTimerMs),
            MaxBatchBytes = root.Int("max_batch_size_in_bytes", ConsensusKeys.MaxBatchSizeInBytes),
            MaxRequestSize = root.Int("max_request_size", DeploymentKeys.MaxRequestSize),
            BackupMode = backupMode,
            DbCheckpoints = checkpoints,
        };
        root.RejectUnknownKeys(AcceptedKeys);
        CheckMessageBounds(root, config);
        return config;
    }

    /// <summary>The largest consensus message the keys allow must stay receivable (<see
    /// cref="MessageBounds"/>).</summary>
    private static void CheckMessageBounds(YamlMappingReader root, DeploymentConfig config)
    {
        var violation = MessageBounds.CeilingViolation(config.F, config.CheckpointWindowSize, config.MaxBatchBytes);
        if (violation is not null)
        {
            throw root.Error("checkpoint_window_size", violation);
        }
    }

    private static DbCheckpointSettings ReadDbCheckpoints(YamlMappingReader root, BackupMode backupMode, string dataDir)
    {
        var enabled = root.Bool("FEATURE_db_checkpoints");
        if (enabled == true && backupMode == BackupMode.Intermittent)
        {
            throw root.Error(
                "FEATURE_db_checkpoints",
                "checkpoint-based and intermittent backup cannot both be enabled: backup_mode is 'intermittent'; "
                    + "set FEATURE_db_checkpoints: false or backup_mode: checkpoint"
            );
        }

        var defaults = new DbCheckpointSettings();
        var checkpointPath = Path.GetFullPath(root.OptionalString("db_checkpoint_path") ?? defaults.Path, dataDir);
        if (File.Exists(checkpointPath))
        {
            throw root.Error(
                "db_checkpoint_path",
                $"{checkpointPath} is a file; it must be a directory (or not exist yet)"
            );
        }

        return new DbCheckpointSettings
        {
            Enabled = enabled ?? backupMode == BackupMode.Checkpoint,
            DurationSeconds = root.Long("db_checkpoint_duration", DbCheckpointKeys.DurationSeconds),
            MaxCheckpoints = root.Int("num_of_rocksdbcheckpoints", DbCheckpointKeys.MaxCheckpoints),
            Window = root.Long("dbcheckpoint_window", DbCheckpointKeys.Window),
            DiskSpaceThreshold = root.Number("db_checkpoint_diskspace_threshold", DbCheckpointKeys.DiskSpaceThreshold),
            Path = checkpointPath,
        };
    }
}
