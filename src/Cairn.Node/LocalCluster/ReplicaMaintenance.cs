using System.Security.Cryptography;
using Cairn.Backup;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Maintenance;

namespace Cairn.Node.LocalCluster;

/// <summary>
/// Work on one replica of a local cluster that needs it stopped: an intermittent backup (<c>cairn backup</c>: stop it,
/// copy its database with a manifest, start it again) and the restore of a checkpoint as its database
/// (<c>cairn restore</c>, only while it is stopped), and the restore of every replica from one checkpoint of the same
/// chain (<c>cairn cluster restore</c>, disaster recovery).
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
        return new StandaloneReplica(config).RestoreRequest(source, discardOld);
    }

    /// <summary>Verifies <paramref name="source"/> and installs it as stopped replica <paramref name="replica"/>'s
    /// database (<see cref="ReplicaRestore.Run"/>).</summary>
    /// <exception cref="DbCheckpointException">When the replica is running, or the cluster or replica does not exist,
    /// or the checkpoint does not verify.</exception>
    public RestoreResult Restore(int replica, string source, bool discardOld, IProgress<TransferProgress>? progress) =>
        ReplicaRestore.Run(RestoreRequest(replica, source, discardOld), progress);

    /// <summary>
    /// Restores every replica of the stopped cluster from <paramref name="source"/> (a checkpoint directory or archive
    /// of this cluster's chain) and starts a new consensus generation there (docs/consensus.md, "Restoring every
    /// replica"). Everything is checked before any replica changes: every replica is stopped, the checkpoint verifies
    /// against the cluster's keys and belongs to its chain. Every replica is reset to the checkpoint, including one
    /// whose database survived and is ahead of it: its database is set aside, never deleted. Each replica's install
    /// is crash-safe (<see cref="ReplicaRestore"/>); until all are done, <see cref="ClusterLayout.RestorePendingFile"/>
    /// makes <c>cluster up</c> refuse, and running the restore again finishes it.
    /// </summary>
    /// <exception cref="DbCheckpointException">When a replica is running, the directory is not a cluster, or the
    /// checkpoint does not verify or belongs to another chain; no replica was changed then.</exception>
    public ClusterRestoreResult RestoreCluster(string source, IProgress<TransferProgress>? progress)
    {
        var requests = Layout
            .RequireCluster()
            .ReplicaIds()
            .Select(id => (Id: id, Request: RestoreRequest(id, source, discardOld: false)))
            .ToList();
        var chainIds = requests.Select(r => r.Request.ChainId).Distinct(StringComparer.Ordinal).ToList();
        if (chainIds.Count != 1)
        {
            throw new DbCheckpointException(
                Layout.Directory,
                $"the replicas' deployment.config files name different chains ({string.Join(", ", chainIds)})"
            );
        }

        foreach (var scratch in Directory.GetDirectories(Layout.Directory, CheckpointSource.ScratchPrefix + "*"))
        {
            Directory.Delete(scratch, recursive: true); // left by an interrupted cluster restore
        }

        // Unpacked once, next to the replicas, so each install links its files instead of unpacking again.
        using var checkpoint = CheckpointSource.Open(source, Layout.Directory, progress);
        var verification = CheckpointVerifier.Verify(
            checkpoint.Directory,
            requests[0].Request.Keys,
            requireManifest: checkpoint.IsArchive,
            expectedChainId: chainIds[0]
        );
        verification.ThrowIfFailed();

        var nonce = Digest.FromBytes(RandomNumberGenerator.GetBytes(Digest.Size));
        var heads = requests.ToDictionary(r => r.Id, r => HeadOf(r.Request.DatabaseDirectory));
        using (var pending = new FileStream(Layout.RestorePendingFile, FileMode.Create, FileAccess.Write))
        {
            // On disk before the first replica's install commits, so a crash midway leaves it.
            pending.Write(System.Text.Encoding.UTF8.GetBytes(source));
            pending.Flush(flushToDisk: true);
        }

        var reset = new List<ReplicaReset>();
        // A checkpoint directory inside a replica's database moves aside with it: that replica goes last.
        foreach (
            var (id, request) in requests.OrderBy(r => IsInside(checkpoint.Directory, r.Request.DatabaseDirectory))
        )
        {
            var result = ReplicaRestore.Run(
                request with
                {
                    Source = checkpoint.Directory,
                    NewGenerationNonce = nonce,
                },
                progress
            );
            reset.Add(new ReplicaReset(id, heads[id], result));
        }

        File.Delete(Layout.RestorePendingFile);
        return new ClusterRestoreResult(
            reset[0].Restore.Checkpoint,
            verification,
            reset[0].Restore.GenerationStarted!.Value,
            reset
        );
    }

    /// <summary>The head of the database at <paramref name="directory"/>, or null when it is missing or does not
    /// open.</summary>
    private static LedgerHead? HeadOf(string directory)
    {
        if (!File.Exists(Path.Combine(directory, "CURRENT")))
        {
            return null;
        }

        try
        {
            using var reader = RocksDbLedger.OpenReadOnly(directory);
            return reader.Head;
        }
        catch (LedgerException)
        {
            return null;
        }
    }

    private static bool IsInside(string path, string directory) =>
        Path.GetFullPath(path)
            .StartsWith(Path.GetFullPath(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// Backs up replica <paramref name="replica"/> into <paramref name="target"/>: stops it if it runs, copies its
    /// database, starts it again and waits until it is healthy; then stores with the copy a 2f+1 certificate that
    /// covers it (the replica's own when it certifies the copy's last block, else one from <paramref
    /// name="certify"/>) and renames the verified backup into place (docs/architecture.md, "What an intermittent
    /// backup's certificate covers").
    /// </summary>
    /// <param name="certify">Fetches a certificate at or above the copy's last block's sequence number and the blocks
    /// that lead to it from the cluster.</param>
    /// <exception cref="DbCheckpointException">When the replica backs up with DB checkpoints
    /// (<c>backup_mode: checkpoint</c>), <paramref name="target"/> exists, the copy fails, or the backup does not
    /// verify; nothing is left under <paramref name="target"/>.</exception>
    /// <exception cref="ClusterRunException">When the restarted replica is not healthy in time.</exception>
    public async Task<ReplicaBackup> BackupAsync(
        int replica,
        string target,
        Func<IntermittentCopy, CancellationToken, Task<(StableCheckpointCertificate, ChainExtension)>> certify,
        IProgress<TransferProgress>? progress,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(certify);
        var config = Layout.LoadReplicaConfig(replica);
        ReplicaBackupProcedure.CheckTarget(config, target);
        if (!runner.IsRunning(replica) && DatabaseLock.IsHeld(config.RocksDbPath))
        {
            throw new DbCheckpointException(
                config.RocksDbPath,
                $"replica {replica} is running but was not started by 'cairn cluster up', so it cannot be restarted "
                    + "from here; stop it (its service, e.g. 'systemctl stop cairn-replica'), back up, start it"
            );
        }

        if (runner.IsRunning(replica))
        {
            await ReplicaBackupProcedure
                .RequireQuorumWithoutAsync(replica, config.F, ProbeAsync, cancellationToken)
                .ConfigureAwait(false);
        }

        var keys = ReplicaPublicKeys.Load(Layout.KeysDirectory);
        var wasRunning = await runner
            .StopReplicaAsync(replica, kill: false, StopGrace, cancellationToken)
            .ConfigureAwait(false);
        IntermittentCopy copy;
        try
        {
            copy = IntermittentBackup.Copy(config.RocksDbPath, config.DbCheckpoints.Path, target, progress);
        }
        finally
        {
            if (wasRunning)
            {
                runner.StartReplica(replica);
                await WaitHealthyAsync(replica, cancellationToken).ConfigureAwait(false);
            }
        }

        return await ReplicaBackupProcedure
            .FinishAsync(replica, copy, certify, keys, wasRunning, cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<(int Id, bool Healthy)>> ProbeAsync(CancellationToken cancellationToken) =>
        [.. (await runner.StatusAsync(cancellationToken).ConfigureAwait(false)).Select(s => (s.Id, s.Healthy))];

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
