using System.Diagnostics;
using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Node.LocalCluster;

namespace Cairn.Node.Tests;

/// <summary>What the local-cluster workflows behind <c>cairn backup</c>, <c>cairn restore</c> and <c>cairn
/// checkpoint</c> refuse before they touch a replica.</summary>
public sealed class ReplicaMaintenanceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-maintenance-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ClusterLayout NewCluster() =>
        ClusterInitializer.Initialize(new ClusterInitOptions(Path.Combine(_root, "cluster"), BasePort: 9300));

    private static ReplicaMaintenance Maintenance(ClusterLayout layout) =>
        new(new ClusterRunner(layout, ["/bin/false"]));

    [Fact]
    public void A_directory_without_replicas_is_not_a_cluster_and_a_missing_replica_is_named()
    {
        var empty = new ClusterLayout(_root);
        FluentActions
            .Invoking(() => empty.RequireCluster())
            .Should()
            .Throw<DbCheckpointException>()
            .WithMessage($"{_root}: not a cluster directory (no replica-N folders; made by 'cairn cluster init')");

        var layout = NewCluster();
        layout.RequireCluster().Should().Be(layout);
        layout.LoadReplicaConfig(2).ReplicaId.Value.Should().Be(2);
        FluentActions
            .Invoking(() => layout.LoadReplicaConfig(7))
            .Should()
            .Throw<DbCheckpointException>()
            .WithMessage("*no replica 7 in this cluster (have 0, 1, 2, 3)");
        layout
            .ReplicaCheckpoint(1, 300)
            .Should()
            .Be(Path.Combine(layout.ReplicaDataDirectory(1), "rocksdbdata", "checkpoints", "300"));
    }

    [Fact]
    public void A_restore_is_refused_while_the_replica_runs_and_prepared_once_it_is_stopped()
    {
        var layout = NewCluster();
        var maintenance = Maintenance(layout);
        // A process whose command line names replica 1's config stands in for the running replica.
        using var running = Process.Start("/bin/sh", ["-c", "sleep 60", "sh", layout.ReplicaConfig(1)]);
        try
        {
            File.WriteAllText(layout.ReplicaPidFile(1), $"{running.Id}");

            FluentActions
                .Invoking(() => maintenance.RestoreRequest(1, "/some/checkpoint", discardOld: false))
                .Should()
                .Throw<DbCheckpointException>()
                .WithMessage("*replica 1 is running; stop it first*");
        }
        finally
        {
            running.Kill();
            running.WaitForExit();
        }

        var request = maintenance.RestoreRequest(1, "/some/checkpoint", discardOld: true);
        request.DatabaseDirectory.Should().Be(layout.LoadReplicaConfig(1).RocksDbPath);
        (request.Source, request.DiscardOld).Should().Be(("/some/checkpoint", true));
    }

    [Fact]
    public void A_cluster_restore_is_refused_before_any_replica_changes()
    {
        var layout = NewCluster();
        var maintenance = Maintenance(layout);
        var foreign = Path.Combine(_root, "foreign-checkpoint");
        Directory.CreateDirectory(foreign);
        var digest = Digest.Compute("block 300"u8);
        new CheckpointMetadata
        {
            Id = new BlockId(300),
            SeqNum = new SeqNum(300),
            LastBlockId = new BlockId(300),
            LastBlockDigest = digest,
            StateDigest = Digest.Compute("state"u8),
            CreatedAt = DateTimeOffset.UnixEpoch,
            SizeBytes = 0,
            ExclusiveBytes = 0,
            Certificate = new StableCheckpointCertificate(new SeqNum(300), digest, []),
            ChainId = "another-chain",
        }.Write(Path.Combine(foreign, CheckpointMetadata.FileName));

        using (var running = Process.Start("/bin/sh", ["-c", "sleep 60", "sh", layout.ReplicaConfig(2)]))
        {
            try
            {
                File.WriteAllText(layout.ReplicaPidFile(2), $"{running.Id}");
                FluentActions
                    .Invoking(() => maintenance.RestoreCluster(foreign, progress: null))
                    .Should()
                    .Throw<DbCheckpointException>()
                    .WithMessage("*replica 2 is running; stop it first*");
            }
            finally
            {
                running.Kill();
                running.WaitForExit();
            }
        }

        var chain = layout.LoadReplicaConfig(0).ChainId;
        FluentActions
            .Invoking(() => maintenance.RestoreCluster(foreign, progress: null))
            .Should()
            .Throw<DbCheckpointException>()
            .WithMessage($"*does not verify: metadata: the checkpoint belongs to chain 'another-chain', not '{chain}'");
        FluentActions
            .Invoking(() => maintenance.RestoreCluster(Path.Combine(_root, "missing.tar.gz"), progress: null))
            .Should()
            .Throw<DbCheckpointException>()
            .WithMessage("*no such checkpoint directory or archive");
        layout
            .ReplicaIds()
            .Should()
            .AllSatisfy(id => Directory.Exists(layout.ReplicaDataDirectory(id)).Should().BeFalse());
        File.Exists(layout.RestorePendingFile).Should().BeFalse();
    }

    [Fact]
    public async Task Cluster_up_refuses_while_a_cluster_restore_is_unfinished()
    {
        var layout = NewCluster();
        File.WriteAllText(layout.RestorePendingFile, "/backups/c1-150.tar.gz");

        var up = () => new ClusterRunner(layout, ["/bin/false"]).UpAsync(TimeSpan.FromSeconds(1));

        await up.Should()
            .ThrowAsync<ClusterRunException>()
            .WithMessage(
                $"a cluster restore did not finish ({layout.RestorePendingFile}); run 'cairn cluster restore --dir "
                    + $"{layout.Directory} --from /backups/c1-150.tar.gz' again"
            );
    }

    private static Task<(StableCheckpointCertificate, ChainExtension)> NotReached(
        IntermittentCopy copy,
        CancellationToken cancellationToken
    ) => throw new InvalidOperationException("a refused backup asks the cluster for no certificate");

    [Fact]
    public async Task A_backup_is_refused_for_a_checkpoint_mode_replica_and_never_overwrites()
    {
        var layout = NewCluster();
        var target = Path.Combine(_root, "backup");

        var checkpointMode = () => Maintenance(layout).BackupAsync(0, target, NotReached, null, CancellationToken.None);
        await checkpointMode.Should().ThrowAsync<DbCheckpointException>().WithMessage("*backup_mode is 'checkpoint'*");

        var config = layout.ReplicaConfig(0);
        File.WriteAllText(
            config,
            File.ReadAllText(config)
                .Replace("backup_mode: checkpoint", "backup_mode: intermittent", StringComparison.Ordinal)
                .Replace("FEATURE_db_checkpoints: true", "FEATURE_db_checkpoints: false", StringComparison.Ordinal)
        );
        Directory.CreateDirectory(target);
        var overwrite = () => Maintenance(layout).BackupAsync(0, target, NotReached, null, CancellationToken.None);
        await overwrite.Should().ThrowAsync<DbCheckpointException>().WithMessage($"{target}: already exists*");
        Directory.EnumerateFileSystemEntries(target).Should().BeEmpty();
    }
}
