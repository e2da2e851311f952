using Cairn.Backup;
using Cairn.Node.Configuration;

namespace Cairn.Node.LocalCluster;

/// <summary>
/// Work on one replica of a local cluster that needs it stopped: an intermittent backup (<c>cairn backup</c>: stop it,
/// copy its database with a manifest, start it again) and the restore of a checkpoint as its database
/// (<c>cairn restore</c>, only while it is stopped).
/// </summary>
public sealed class ReplicaMaintenance(ClusterRunner runner)
{
    /// <summary>How long a replica has to stop (after SIGTERM) before a backup.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    /// <summary>How long a replica restarted after a backup has to become healthy.</summary>
    public static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan HealthPoll = TimeSpan.FromMilliseconds(200);

    private ClusterLayout Layout => runner.Layout;

    /// <summary>The restore of replica <paramref name="replica"/> from <paramref name="source"/> (a checkpoint
    /// directory or archive), once it is known to be stopped.</summary>
    /// <exception cref="DbCheckpointException">When the replica is running, or the cluster or replica does not
    /// exist.</exception>
    public RestoreRequest RestoreRequest(int replica, string source, bool discardOld)
    {
        var config = Layout.LoadReplicaConfig(replica);
        if (runner.IsRunning(replica))
        {
            throw new DbCheckpointException(
                Layout.ReplicaDirectory(replica),
                $"replica {replica} is running; stop it first (kill the pid in {Layout.ReplicaPidFile(replica)}, or "
                    + $"'cairn cluster down --dir {Layout.Directory}')"
            );
        }

        // A replica a service manager started has no pid file: its open database tells.
        if (DatabaseLock.IsHeld(config.RocksDbPath))
        {
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {replica} is running (its database is open); stop it first (its service, e.g. 'systemctl "
                    + "stop cairn-replica')"
            );
        }

        return new RestoreRequest
        {
            DataDirectory = config.DataDir,
            DatabaseDirectory = config.RocksDbPath,
            CheckpointsDirectory = config.DbCheckpoints.Path,
            Source = source,
            Keys = ReplicaPublicKeys.Load(Layout.KeysDirectory),
            ChainId = config.ChainId,
            DiscardOld = discardOld,
        };
    }

    /// <summary>Verifies <paramref name="source"/> and installs it as stopped replica <paramref name="replica"/>'s
    /// database (<see cref="ReplicaRestore.Run"/>).</summary>
    /// <exception cref="DbCheckpointException">When the replica is running, or the cluster or replica does not exist,
    /// or the checkpoint does not verify.</exception>
    public RestoreResult Restore(int replica, string source, bool discardOld, IProgress<TransferProgress>? progress) =>
        ReplicaRestore.Run(RestoreRequest(replica, source, discardOld), progress);

    /// <summary>Backs up replica <paramref name="replica"/> into <paramref name="target"/>: stops it if it runs, copies
    /// its database with a SHA-256 manifest, and starts it again, waiting until it is healthy.</summary>
    /// <exception cref="DbCheckpointException">When the replica backs up with DB checkpoints
    /// (<c>backup_mode: checkpoint</c>), <paramref name="target"/> exists, or the copy fails.</exception>
    /// <exception cref="ClusterRunException">When the restarted replica is not healthy in time.</exception>
    public async Task<ReplicaBackup> BackupAsync(
        int replica,
        string target,
        IProgress<TransferProgress>? progress,
        CancellationToken cancellationToken
    )
    {
        var config = Layout.LoadReplicaConfig(replica);
        if (config.BackupMode != BackupMode.Intermittent)
        {
            throw new DbCheckpointException(
                config.SourcePath,
                "backup_mode is 'checkpoint': this replica backs up online with DB checkpoints ('cairn checkpoint "
                    + "export'); set backup_mode: intermittent to use 'cairn backup'"
            );
        }

        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new DbCheckpointException(target, "already exists (a backup never overwrites)");
        }

        if (!runner.IsRunning(replica) && DatabaseLock.IsHeld(config.RocksDbPath))
        {
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {replica} is running but was not started by 'cairn cluster up', so it cannot be restarted "
                    + "from here; stop it (its service, e.g. 'systemctl stop cairn-replica'), back up, start it"
            );
        }

        var wasRunning = await runner
            .StopReplicaAsync(replica, kill: false, StopGrace, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var (manifest, head, chainId) = IntermittentBackup.Copy(
                config.RocksDbPath,
                config.DbCheckpoints.Path,
                target,
                progress
            );
            return new ReplicaBackup(replica, target, manifest, head, chainId, wasRunning);
        }
        finally
        {
            if (wasRunning)
            {
                runner.StartReplica(replica);
                await WaitHealthyAsync(replica, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitHealthyAsync(int replica, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + HealthyWithin;
        while (DateTime.UtcNow < deadline)
        {
            var status = await runner.StatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.First(s => s.Id == replica).Healthy)
            {
                return;
            }

            await Task.Delay(HealthPoll, cancellationToken).ConfigureAwait(false);
        }

        throw new ClusterRunException(
            $"replica {replica} was restarted after the backup but is not healthy after {HealthyWithin.TotalSeconds} s "
                + $"(log: {Layout.ReplicaLogFile(replica)})"
        );
    }
}
