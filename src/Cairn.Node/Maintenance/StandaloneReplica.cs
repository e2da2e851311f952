using System.Globalization;
using Cairn.Backup;
using Cairn.Client;
using Cairn.Core.Crypto;
using Cairn.Node.Configuration;
using Cairn.Node.LocalCluster;
using Cairn.Protocol.Configuration;

namespace Cairn.Node.Maintenance;

/// <summary>
/// One replica as its own host sees it: its <c>deployment.config</c> (what <c>cairn replica --config FILE</c> runs)
/// and nothing else, no cluster directory. Whoever runs it (a service manager such as systemd, or a shell) stops and
/// starts it: restore and backup work on it only while it is stopped, and refuse while its database is open
/// (docs/operator-guide.md, "Deploy on several hosts").
/// </summary>
public sealed class StandaloneReplica(DeploymentConfig config)
{
    /// <summary>The replica's config.</summary>
    public DeploymentConfig Config => config;

    private int Id => config.ReplicaId.Value;

    /// <summary>The replica whose <c>deployment.config</c> is at <paramref name="configPath"/>.</summary>
    /// <exception cref="ConfigException">When the file is missing, unreadable or invalid (the message names the file
    /// and the key).</exception>
    public static StandaloneReplica Load(string configPath) => new(DeploymentConfigLoader.Load(configPath));

    /// <summary>Where the replica keeps its own DB checkpoint <paramref name="checkpoint"/>.</summary>
    public string Checkpoint(ulong checkpoint) =>
        Path.Combine(config.DbCheckpoints.Path, checkpoint.ToString(CultureInfo.InvariantCulture));

    /// <summary>Every replica's public key, from the files the config's <c>replicas</c> name.</summary>
    /// <exception cref="KeyFileException">When one is missing or not an Ed25519 public key.</exception>
    public ReplicaPublicKeys LoadKeys() =>
        new([.. config.Replicas.Select(r => KeyFiles.LoadVerificationKey(r.PublicKeyPath))]);

    /// <summary>The restore of <paramref name="source"/> (a checkpoint directory or archive) as this replica's
    /// database, once it is known to be stopped.</summary>
    /// <exception cref="DbCheckpointException">When the replica is running (its database is open).</exception>
    public RestoreRequest RestoreRequest(string source, bool discardOld)
    {
        if (DatabaseLock.IsHeld(config.RocksDbPath))
        {
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {Id} is running (its database is open); stop it first (its service, e.g. 'systemctl "
                    + "stop cairn-replica')"
            );
        }

        return new RestoreRequest
        {
            DataDirectory = config.DataDir,
            DatabaseDirectory = config.RocksDbPath,
            CheckpointsDirectory = config.DbCheckpoints.Path,
            Source = source,
            Keys = LoadKeys(),
            ChainId = config.ChainId,
            DiscardOld = discardOld,
        };
    }

    /// <summary>Verifies <paramref name="source"/> and installs it as the stopped replica's database (<see
    /// cref="ReplicaRestore.Run"/>).</summary>
    /// <exception cref="DbCheckpointException">When the replica is running or the checkpoint does not
    /// verify.</exception>
    public RestoreResult Restore(string source, bool discardOld, IProgress<TransferProgress>? progress) =>
        ReplicaRestore.Run(RestoreRequest(source, discardOld), progress);

    /// <summary>
    /// Backs up the stopped replica into <paramref name="target"/>: copies its database, then stores with the copy a
    /// 2f+1 certificate that covers it (the replica's own when it certifies the copy's last block, else one fetched
    /// from the replicas of the config, signed with <paramref name="operatorKey"/>). A running replica is refused: its
    /// service manager stops and starts it, not this command; the refusal says whether the others form a quorum
    /// without it (asked over the pinned TLS of the config's <c>replicas</c>), so stopping it keeps the cluster
    /// committing.
    /// </summary>
    /// <param name="operatorKey">The operator's private key (PEM), or null when the copy must carry its own
    /// certificate.</param>
    /// <param name="passphrase">Decrypts <paramref name="operatorKey"/> when it is encrypted.</param>
    /// <exception cref="DbCheckpointException">When the replica backs up with DB checkpoints, is running, <paramref
    /// name="target"/> exists, the copy fails, a certificate is needed and there is no operator key, or the backup does
    /// not verify; nothing is left under <paramref name="target"/>.</exception>
    /// <exception cref="ClusterRunException">When the replica is running and the others are no quorum without
    /// it.</exception>
    public async Task<ReplicaBackup> BackupAsync(
        string target,
        string? operatorKey,
        KeyPassphrase? passphrase,
        IProgress<TransferProgress>? progress,
        CancellationToken cancellationToken
    )
    {
        ReplicaBackupProcedure.CheckTarget(config, target);
        if (DatabaseLock.IsHeld(config.RocksDbPath))
        {
            await ReplicaBackupProcedure
                .RequireQuorumWithoutAsync(
                    Id,
                    config.F,
                    ct => ReplicaBackupProcedure.ProbeAsync(config.Replicas, ct),
                    cancellationToken
                )
                .ConfigureAwait(false);
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {Id} is running (its database is open); the others form a quorum without it, so stop it "
                    + "with its service manager (e.g. 'systemctl stop cairn-replica'), run the backup again, then "
                    + "start it ('systemctl start cairn-replica')"
            );
        }

        var keys = LoadKeys();
        var copy = IntermittentBackup.Copy(config.RocksDbPath, config.DbCheckpoints.Path, target, progress);
        return await ReplicaBackupProcedure
            .FinishAsync(
                Id,
                copy,
                (staged, ct) =>
                    operatorKey is null
                        ? throw new DbCheckpointException(
                            target,
                            $"backup failed: the copy ends at block {staged.Head.LastBlockId}, which no certificate "
                                + "of the replica's own covers; one comes from the cluster over the signed operator "
                                + "query path: give the operator's key (--key operator_priv.pem)"
                        )
                        : ReplicaBackupProcedure.CertifyFromClusterAsync(
                            OperatorConfig(operatorKey, passphrase),
                            keys,
                            staged,
                            ct
                        ),
                keys,
                restarted: false,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>The operator's view of the cluster from this replica's config: its replicas, their pinned TLS
    /// certificates, f and chain id, signing with <paramref name="operatorKey"/>.</summary>
    private ClientConfig OperatorConfig(string operatorKey, KeyPassphrase? passphrase) =>
        new()
        {
            SourcePath = config.SourcePath,
            ChainId = config.ChainId,
            F = config.F,
            Replicas = config.Replicas,
            PrivateKeyPath = operatorKey,
            KeyIndex = 0,
            Passphrase = passphrase,
        };
}
