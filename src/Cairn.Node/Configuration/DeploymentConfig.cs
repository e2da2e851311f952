using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Configuration;

/// <summary>
/// A replica's <c>deployment.config</c>, parsed and validated (see <see cref="DeploymentConfigLoader"/>).
/// Paths are absolute: relative paths in the file are resolved against the file's directory
/// (and <c>db_checkpoint_path</c> against <c>data_dir</c>). Numeric defaults and ranges come from
/// <see cref="DeploymentKeys"/>, <see cref="ConsensusKeys"/> and <see cref="DbCheckpointKeys"/>.
/// </summary>
public sealed record DeploymentConfig
{
    /// <summary>The file this config was read from, for messages.</summary>
    public required string SourcePath { get; init; }

    /// <summary>The chain id used when <c>chain_id</c> is not set.</summary>
    public const string DefaultChainId = "cairn";

    /// <summary><c>chain_id</c>: the chain every replica of the cluster belongs to; its ledger refuses
    /// another.</summary>
    public string ChainId { get; init; } = DefaultChainId;

    /// <summary><c>replica_id</c>: this replica's id.</summary>
    public required ReplicaId ReplicaId { get; init; }

    /// <summary><c>f_val</c>: faulty replicas tolerated; the cluster has n = 3f + 1 replicas.</summary>
    public required int F { get; init; }

    /// <summary><c>replicas</c>: every replica of the cluster, this one included, in id order.</summary>
    public required IReadOnlyList<PeerEndpoint> Replicas { get; init; }

    /// <summary><c>data_dir</c>: the replica's data; RocksDB lives in <c>&lt;data_dir&gt;/rocksdbdata</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary><c>replica_private_key</c>: this replica's Ed25519 private key (PEM).</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary><c>replica_tls_key</c>: the private key (PEM, ECDSA) of the TLS certificate this replica's own entry in
    /// <see cref="Replicas"/> names; it serves the replica port and authenticates this replica to its peers. Decrypted
    /// with the same passphrase as <see cref="PrivateKeyPath"/> when encrypted.</summary>
    public required string TlsPrivateKeyPath { get; init; }

    /// <summary><c>key_passphrase_file</c>: a file whose first line is the passphrase of <see cref="PrivateKeyPath"/>
    /// when that key is encrypted PKCS#8; when not set, the <c>CAIRN_KEY_PASSPHRASE</c> environment variable.</summary>
    public string? KeyPassphrasePath { get; init; }

    /// <summary><c>operator_public_key</c>: the key every operator command must be signed with (PEM).</summary>
    public required string OperatorPublicKeyPath { get; init; }

    /// <summary><c>client_public_keys</c>: the clients allowed to send requests (PEM files).</summary>
    public IReadOnlyList<string> ClientPublicKeyPaths { get; init; } = [];

    /// <summary><c>metrics_port</c>: HTTP port of <c>/metrics</c> and <c>/health</c>.</summary>
    public int MetricsPort { get; init; } = DeploymentKeys.MetricsPort.Default;

    /// <summary><c>checkpoint_window_size</c>: consensus CHECKPOINT interval in sequence numbers.</summary>
    public int CheckpointWindowSize { get; init; } = ConsensusKeys.CheckpointWindowSize.Default;

    /// <summary><c>max_batch_size_in_bytes</c>: the most encoded bytes of requests the primary puts in one
    /// batch.</summary>
    public int MaxBatchBytes { get; init; } = ConsensusKeys.MaxBatchSizeInBytes.Default;

    /// <summary>The largest client request the client API takes: <c>max_request_size</c>, or less when a request that
    /// big would not fit a batch of <c>max_batch_size_in_bytes</c>.</summary>
    public int LargestRequest =>
        Math.Min(MaxRequestSize, MaxBatchBytes - Batch.EmptyEncodedLength - Batch.EncodedLengthOf(0));

    /// <summary><c>max_num_of_requests_in_batch</c>: the most client requests the primary puts in one batch.</summary>
    public int MaxRequestsInBatch { get; init; } = ConsensusKeys.MaxRequestsInBatch.Default;

    /// <summary><c>batch_flush_period</c>: milliseconds the primary waits to fill a batch before sending it
    /// anyway.</summary>
    public int BatchFlushPeriodMs { get; init; } = ConsensusKeys.BatchFlushPeriodMs.Default;

    /// <summary><c>concurrency_level</c>: the most batches the primary keeps in flight (proposed, not yet
    /// executed).</summary>
    public int ConcurrencyLevel { get; init; } = ConsensusKeys.ConcurrencyLevel.Default;

    /// <summary><c>view_change_timer_millisec</c>: how long a request may wait before backups suspect the primary
    /// (doubled at each further view).</summary>
    public int ViewChangeTimeoutMs { get; init; } = ConsensusKeys.ViewChangeTimerMs.Default;

    /// <summary><c>max_request_size</c>: the largest client request accepted, in bytes.</summary>
    public int MaxRequestSize { get; init; } = DeploymentKeys.MaxRequestSize.Default;

    /// <summary><c>backup_mode</c>: checkpoint (default) or intermittent.</summary>
    public BackupMode BackupMode { get; init; } = BackupMode.Checkpoint;

    /// <summary>The <c>db_checkpoint_*</c> keys.</summary>
    public DbCheckpointSettings DbCheckpoints { get; init; } = new();

    /// <summary>n = 3f + 1.</summary>
    public int N => (3 * F) + 1;

    /// <summary>This replica's own entry in <see cref="Replicas"/>.</summary>
    public PeerEndpoint Self => Replicas[ReplicaId.Value];

    /// <summary>Where RocksDB keeps this replica's database.</summary>
    public string RocksDbPath => RocksDbPathOf(DataDir);

    /// <summary>Where RocksDB keeps the database of the replica whose <c>data_dir</c> is <paramref
    /// name="dataDir"/>.</summary>
    public static string RocksDbPathOf(string dataDir) => System.IO.Path.Combine(dataDir, "rocksdbdata");
}
