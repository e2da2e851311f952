using Cairn.Backup;
using Cairn.Client;
using Cairn.Consensus.Messages;
using Cairn.Ledger;
using Cairn.Node.Configuration;
using Cairn.Node.Execution;
using Cairn.Node.LocalCluster;

namespace Cairn.Node.Maintenance;

/// <summary>
/// The steps of an intermittent backup (<c>cairn backup</c>) that do not depend on how the replica is stopped and
/// started: what is refused before anything stops, the quorum the others must keep, and the certificate stored with
/// the copy (docs/architecture.md, "What an intermittent backup's certificate covers"). <see
/// cref="ReplicaMaintenance"/> runs them for a replica of a cluster directory, <see cref="StandaloneReplica"/> for one
/// run from its deployment.config alone.
/// </summary>
public static class ReplicaBackupProcedure
{
    /// <summary>How long the cluster may make no progress towards a stable checkpoint that covers a backup's copy
    /// before the backup gives up (it waits as long as the cluster executes towards it).</summary>
    public static readonly TimeSpan CertificateStall = TimeSpan.FromSeconds(60);

    /// <summary>How long one probe waits for one replica's answer in the quorum check.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ProbePause = TimeSpan.FromMilliseconds(200);

    // Health probes of the other replicas before a backup stops one.
    private const int QuorumProbes = 5;

    /// <summary>Refuses, before anything stops, a replica that backs up with DB checkpoints and a target that
    /// exists.</summary>
    /// <exception cref="DbCheckpointException">When either holds.</exception>
    public static void CheckTarget(DeploymentConfig config, string target)
    {
        ArgumentNullException.ThrowIfNull(config);
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
    }

    /// <summary>Stopping <paramref name="replica"/> must leave a quorum (2f + 1) of healthy replicas serving; else
    /// the cluster would stop committing for the length of the copy.</summary>
    /// <param name="probe">Which replicas answer now (the replica itself may be among them; it is left out).</param>
    /// <exception cref="ClusterRunException">When fewer than 2f + 1 other replicas are healthy.</exception>
    public static async Task RequireQuorumWithoutAsync(
        int replica,
        int f,
        Func<CancellationToken, Task<IReadOnlyList<(int Id, bool Healthy)>>> probe,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(probe);
        // A replica busy with load may miss one probe: one answer in a few probes counts.
        var healthy = new SortedSet<int>();
        var others = new List<int>();
        for (var attempt = 0; attempt < QuorumProbes && healthy.Count < (2 * f) + 1; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(ProbePause, cancellationToken).ConfigureAwait(false);
            }

            var status = (await probe(cancellationToken).ConfigureAwait(false)).Where(s => s.Id != replica).ToList();
            others = [.. status.Select(s => s.Id)];
            healthy.UnionWith(status.Where(s => s.Healthy).Select(s => s.Id));
        }

        if (healthy.Count < (2 * f) + 1)
        {
            var down = others.Where(id => !healthy.Contains(id));
            throw new ClusterRunException(
                $"stopping replica {replica} for its backup would leave {healthy.Count} healthy replicas, fewer than "
                    + $"the {(2 * f) + 1} the cluster needs to commit (not healthy: {string.Join(", ", down)}); bring "
                    + "them back first ('cairn cluster status'), or stop the cluster and back up each replica"
            );
        }
    }

    /// <summary>Which of <paramref name="replicas"/> answer a status request over their pinned TLS within <see
    /// cref="ProbeTimeout"/>.</summary>
    public static async Task<IReadOnlyList<(int Id, bool Healthy)>> ProbeAsync(
        IEnumerable<Cairn.Protocol.Configuration.PeerEndpoint> replicas,
        CancellationToken cancellationToken
    ) =>
        await Task.WhenAll(
                replicas.Select(async r =>
                    (
                        r.Id.Value,
                        await ReplicaAdmin.StatusAsync(r, ProbeTimeout, cancellationToken).ConfigureAwait(false)
                            is not null
                    )
                )
            )
            .ConfigureAwait(false);

    /// <summary>Stores with <paramref name="copy"/> a 2f+1 certificate that covers it (the replica's own when it
    /// certifies the copy's last block, else one from <paramref name="certify"/>) and renames the verified backup
    /// into place; abandons the copy when that fails.</summary>
    /// <exception cref="DbCheckpointException">When the backup does not verify.</exception>
    public static async Task<ReplicaBackup> FinishAsync(
        int replica,
        IntermittentCopy copy,
        Func<IntermittentCopy, CancellationToken, Task<(StableCheckpointCertificate, ChainExtension)>> certify,
        ReplicaPublicKeys keys,
        bool restarted,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentNullException.ThrowIfNull(certify);
        try
        {
            long epoch;
            using (var reader = RocksDbLedger.OpenReadOnly(copy.StagingDirectory))
            {
                epoch = (long)ReplicatedKeys.DecodeUInt64(reader.GetValue(ReplicatedKeys.Epoch));
            }

            var (certificate, extension) = copy.OwnCertificate is { } own
                ? (own, ChainExtension.Empty)
                : await certify(copy, cancellationToken).ConfigureAwait(false);
            var (manifest, metadata) = IntermittentBackup.Complete(copy, certificate, extension, epoch, keys);
            return new ReplicaBackup(
                replica,
                copy.TargetDirectory,
                manifest,
                metadata,
                extension.Blocks.Count,
                restarted
            );
        }
        catch
        {
            copy.Abandon();
            throw;
        }
    }

    /// <summary>A certificate at or above the copy's last sequence number and the blocks leading to it, from the
    /// cluster over the signed operator query path (the replicas are asked to reach the next checkpoint boundary when
    /// they are not there yet).</summary>
    /// <exception cref="ClusterUnavailableException">When the cluster made no progress towards one for <see
    /// cref="CertificateStall"/>.</exception>
    public static async Task<(StableCheckpointCertificate, ChainExtension)> CertifyFromClusterAsync(
        ClientConfig operatorConfig,
        ReplicaPublicKeys keys,
        IntermittentCopy copy,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(copy);
        var client = new CertifiedChainClient(operatorConfig);
        var (certificate, blocks) = await client
            .FetchAsync(
                copy.Head.LastBlockId.Next,
                copy.Head.LastSeqNum,
                (c, b, complete) => IntermittentBackup.FindFetchProblem(copy, keys, c, b, complete),
                CertificateStall,
                cancellationToken
            )
            .ConfigureAwait(false);
        return IntermittentBackup.Decode(certificate, blocks);
    }
}
