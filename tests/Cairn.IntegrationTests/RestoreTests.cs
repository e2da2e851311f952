using System.Globalization;
using System.Text.Json;
using AwesomeAssertions;
using Cairn.Protocol.Grpc;

namespace Cairn.IntegrationTests;

/// <summary>cairn restore on real replica processes: a replica whose database is wiped while the cluster takes load is
/// restored from its own checkpoint, another from a peer's exported archive on a fresh data directory (after a forged
/// copy of that archive is refused); both catch up by state transfer to the peers' last block digest. Restore, export,
/// list and backup run both from the cluster directory and from one replica's deployment.config (--config), as on a
/// host that has only that replica.</summary>
public sealed class RestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wiped_replica_restored_from_its_own_checkpoint_under_load_converges_to_its_peers()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7740));
        var dir = cluster.Layout.Directory;
        await cluster.PutManyAsync("before", 40);
        var id = await CreateCheckpointAsync(dir);
        var ownCheckpoint = Path.Combine(
            Database(cluster, 3),
            "checkpoints",
            id.ToString(CultureInfo.InvariantCulture)
        );
        // 'dbCheckpoint create' returns once 2f+1 replicas report; on a busy machine replica 3 may still be finalising.
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(ownCheckpoint, "checkpoint.json")),
            "replica 3 finalising checkpoint " + id
        );

        var refused = await CairnProcess.RunAsync(
            "restore",
            "--replica",
            "3",
            "--cluster",
            dir,
            "--checkpoint",
            $"{id}"
        );
        refused.ExitCode.Should().Be(1);
        refused.Error.Should().Contain("replica 3 is running");
        // On a host with only replica 3's deployment.config, its open database tells that it runs.
        var refusedByConfig = await CairnProcess.RunAsync(
            "restore",
            "--config",
            cluster.Layout.ReplicaConfig(3),
            "--checkpoint",
            $"{id}"
        );
        refusedByConfig.ExitCode.Should().Be(1);
        refusedByConfig.Error.Should().Contain("replica 3 is running (its database is open)");

        // The database is lost while the others keep taking writes; its checkpoints survive.
        var load = cluster.PutManyAsync("during", 60);
        await cluster.Runner.StopReplicaAsync(3, kill: true, TimeSpan.FromSeconds(10), Ct);
        foreach (var file in Directory.GetFiles(Database(cluster, 3)))
        {
            File.Delete(file);
        }

        var restore = await CairnProcess.RunAsync(
            "restore",
            "--replica",
            "3",
            "--cluster",
            dir,
            "--checkpoint",
            $"{id}",
            "--discard-old",
            "--json"
        );
        restore.ExitCode.Should().Be(0, restore.Error);
        string aside;
        using (var result = JsonDocument.Parse(restore.Output))
        {
            result.RootElement.GetProperty("consensusMetadataReset").GetBoolean().Should().BeFalse();
            result.RootElement.GetProperty("checkpointsCarriedOver").GetInt32().Should().Be(1);
            result.RootElement.GetProperty("oldDatabaseDeletedAfterCatchUp").GetBoolean().Should().BeTrue();
            aside = result.RootElement.GetProperty("oldDatabase").GetString()!;
        }

        Directory
            .Exists(ownCheckpoint)
            .Should()
            .BeTrue("the replica's checkpoints are carried into the restored database");
        Directory.Exists(aside).Should().BeTrue("--discard-old waits until the restored replica has caught up");
        await load;
        cluster.Runner.StartReplica(3);
        await cluster.PutManyAsync("after", 200);

        await ConvergedAsync(cluster);
        // Caught up to its peers' stable checkpoint: the replica deletes the old database and says so.
        var pending = Path.Combine(cluster.Layout.ReplicaDataDirectory(3), Cairn.Backup.PendingDiscard.FileName);
        await Eventually.TrueAsync(
            () => !Directory.Exists(aside) && !File.Exists(pending),
            "replica 3 deleting the database set aside"
        );

        Directory.Exists(aside).Should().BeFalse();
        File.Exists(pending).Should().BeFalse();
        // The console logger writes from a queue of its own: the line can land after the directory is gone.
        var log = cluster.Layout.ReplicaLogFile(3);
        await Eventually.TrueAsync(
            () =>
                File.ReadAllText(log)
                    .Contains("deleted the database set aside by the restore", StringComparison.Ordinal),
            "replica 3 logging the deletion"
        );
        var read = await CairnProcess.RunAsync("kv", "get", "before-7", "--checkpoint", ownCheckpoint);
        read.ExitCode.Should().Be(0, read.Error);
        read.Output.Trim().Should().Be("v:before-7");
    }

    [Fact]
    public async Task A_replica_restored_from_a_peers_exported_archive_converges_and_a_forged_copy_is_refused()
    {
        await using var cluster = await TestCluster.StartAsync(
            TestPorts.At(7750),
            new Dictionary<string, string> { ["num_of_rocksdbcheckpoints"] = "1" }
        );
        var dir = cluster.Layout.Directory;
        await cluster.PutManyAsync("before", 40);
        var id = await CreateCheckpointAsync(dir);
        var archive = Path.Combine(cluster.Root, "replica-1-backup.tar.gz");
        var checkpoints = Path.Combine(cluster.Layout.ReplicaDataDirectory(1), "rocksdbdata", "checkpoints");
        var exported = Path.Combine(checkpoints, id.ToString(CultureInfo.InvariantCulture));
        // 'dbCheckpoint create' returns once 2f+1 replicas report; on a busy machine replica 1 may still be finalising,
        // and a pin on a checkpoint that is not complete yet is refused.
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(exported, "checkpoint.json")),
            "replica 1 finalising checkpoint " + id
        );

        // A reader in another process (this one) pins the checkpoint: replica 1's retention (1 kept) must leave it.
        using (Cairn.Backup.DbCheckpointFilePin.Acquire(checkpoints, new Cairn.Core.BlockId(id)))
        {
            var newer = await CreateCheckpointAsync(dir);
            await Eventually.TrueAsync(
                () =>
                    File.Exists(
                        Path.Combine(checkpoints, newer.ToString(CultureInfo.InvariantCulture), "checkpoint.json")
                    ),
                "replica 1 finalising checkpoint " + newer
            );

            Directory.Exists(exported).Should().BeTrue("a pinned checkpoint survives retention");
            // From replica 1's deployment.config alone, as on a host with no cluster directory.
            var export = await CairnProcess.RunAsync(
                "checkpoint",
                "export",
                "--config",
                cluster.Layout.ReplicaConfig(1),
                "--id",
                $"{id}",
                "--to",
                archive
            );
            export.ExitCode.Should().Be(0, export.Error);
        }

        await CreateCheckpointAsync(dir);
        await Eventually.TrueAsync(
            () => !Directory.Exists(exported),
            "retention deleting the released checkpoint " + id
        );

        Directory.Exists(exported).Should().BeFalse("released, it goes at the next retention pass");
        var verify = await CairnProcess.RunAsync(
            "checkpoint",
            "verify",
            archive,
            "--keys",
            cluster.Layout.KeysDirectory
        );
        verify.ExitCode.Should().Be(0, verify.Error);
        verify.Output.Should().Contain("✓ quorum certificate");

        await cluster.Runner.StopReplicaAsync(2, kill: false, TimeSpan.FromSeconds(10), Ct);
        Directory.Delete(cluster.Layout.ReplicaDataDirectory(2), recursive: true);
        await ForgedCopyIsRefusedAsync(cluster, archive);
        await cluster.PutManyAsync("while-down", 40);

        var restore = await CairnProcess.RunAsync(
            "restore",
            "--config",
            cluster.Layout.ReplicaConfig(2),
            "--from",
            archive,
            "--json"
        );
        restore.ExitCode.Should().Be(0, restore.Error);
        using (var result = JsonDocument.Parse(restore.Output))
        {
            result.RootElement.GetProperty("replica").GetInt32().Should().Be(2);
            result.RootElement.GetProperty("consensusMetadataReset").GetBoolean().Should().BeTrue();
            result
                .RootElement.GetProperty("oldDatabase")
                .ValueKind.Should()
                .Be(JsonValueKind.Null, "there was no database to keep");
        }

        cluster.Runner.StartReplica(2);
        await cluster.PutManyAsync("after", 200);

        await ConvergedAsync(cluster);
        var list = await CairnProcess.RunAsync("checkpoint", "list", "--cluster", dir, "--replica", "1");
        list.ExitCode.Should().Be(0, list.Error);
        list.Output.Should().Contain("complete");

        // The same replica's checkpoints read from its data directory or its deployment.config alone, as on a host with
        // no cluster directory: the same list (the load is over, so retention has nothing more to retire).
        var viaCluster = await CairnProcess.RunAsync(
            "checkpoint",
            "list",
            "--cluster",
            dir,
            "--replica",
            "1",
            "--json"
        );
        string[][] oneReplica =
        [
            ["--data-dir", cluster.Layout.ReplicaDataDirectory(1)],
            ["--config", cluster.Layout.ReplicaConfig(1)],
        ];
        foreach (var named in oneReplica)
        {
            var local = await CairnProcess.RunAsync(["checkpoint", "list", .. named, "--json"]);
            local.ExitCode.Should().Be(0, local.Error);
            GoodIds(local).Should().NotBeEmpty().And.Equal(GoodIds(viaCluster));
        }
    }

    /// <summary>A copy of <paramref name="archive"/> with one value of its state changed with RocksDB directly and
    /// checkpoint.json and the manifest rewritten to match: the quorum certificate covers the last block, which records
    /// the state digest, so <c>checkpoint verify</c>, <c>restore</c> (into stopped replica 2) and
    /// <c>kv get --checkpoint</c> refuse it, each in one line naming the altered state's digest.</summary>
    private static async Task ForgedCopyIsRefusedAsync(TestCluster cluster, string archive)
    {
        var forged = Path.Combine(cluster.Root, "forged");
        Cairn.Backup.CheckpointArchive.Extract(archive, forged);
        var forgedDigest = Cairn.Backup.Tests.StateForgery.AlterValue(forged, "before-7", "forged");

        var verify = await CairnProcess.RunAsync(
            "checkpoint",
            "verify",
            forged,
            "--keys",
            cluster.Layout.KeysDirectory
        );
        verify.ExitCode.Should().Be(1);
        verify.Output.Should().Contain("✓ manifest", "the manifest was rewritten to match");
        var error = verify.Error.Trim();
        error.Should().NotContain("\n").And.StartWith($"error: {forged}").And.Contain("state digest");
        error.Should().Contain($"the state hashes to {forgedDigest.ToHex()}").And.Contain("the certified block");

        var dir = cluster.Layout.Directory;
        var restore = await CairnProcess.RunAsync("restore", "--replica", "2", "--cluster", dir, "--from", forged);
        restore.ExitCode.Should().Be(1);
        restore.Error.Trim().Should().NotContain("\n").And.Contain(forged).And.Contain(forgedDigest.ToHex());
        Directory
            .EnumerateFileSystemEntries(cluster.Layout.ReplicaDataDirectory(2))
            .Should()
            .BeEmpty("a refused restore leaves no database and no staging behind");

        var read = await CairnProcess.RunAsync("kv", "get", "before-7", "--checkpoint", forged);
        read.ExitCode.Should().Be(1);
        read.Error.Should().Contain("state does not match its certificate").And.Contain(forgedDigest.ToHex());
    }

    private static List<ulong> GoodIds(CairnProcess list)
    {
        using var listed = JsonDocument.Parse(list.Output);
        return
        [
            .. listed
                .RootElement.GetProperty("checkpoints")
                .EnumerateArray()
                .Where(c => c.GetProperty("good").GetBoolean())
                .Select(c => c.GetProperty("id").GetUInt64()),
        ];
    }

    [Fact]
    public async Task Intermittent_backup_stops_a_replica_copies_it_with_a_manifest_and_restarts_it_as_others_serve()
    {
        await using var cluster = await TestCluster.StartAsync(
            TestPorts.At(7760),
            new Dictionary<string, string> { ["backup_mode"] = "intermittent", ["FEATURE_db_checkpoints"] = "false" }
        );
        var dir = cluster.Layout.Directory;
        await cluster.PutManyAsync("before", 40);
        var target = Path.Combine(cluster.Root, "replica-1-copy");

        var load = cluster.PutManyAsync("during", 40);
        var backup = await CairnProcess.RunAsync(
            "backup",
            "--replica",
            "1",
            "--cluster",
            dir,
            "--to",
            target,
            "--json"
        );
        await load;

        backup.ExitCode.Should().Be(0, backup.Error);
        File.Exists(Path.Combine(target, "manifest.json")).Should().BeTrue();
        File.Exists(Path.Combine(target, "CURRENT")).Should().BeTrue();
        ulong certifiedSeq;
        using (var result = JsonDocument.Parse(backup.Output))
        {
            certifiedSeq = result.RootElement.GetProperty("certifiedSeqNum").GetUInt64();
            certifiedSeq.Should().BeGreaterThanOrEqualTo(result.RootElement.GetProperty("seqNum").GetUInt64());
        }

        // The backup carries the certificate and chain extension that verify and restore need.
        var verify = await CairnProcess.RunAsync(
            "checkpoint",
            "verify",
            target,
            "--keys",
            cluster.Layout.KeysDirectory
        );
        verify.ExitCode.Should().Be(0, verify.Error);
        verify.Output.Should().Contain("✓ quorum certificate").And.Contain("✓ state digest");
        (await CairnProcess.RunAsync("backup", "--replica", "1", "--cluster", dir, "--to", target))
            .Error.Should()
            .Contain("already exists");

        // From its deployment.config alone, a running replica is not stopped: its service manager does that.
        var config = cluster.Layout.ReplicaConfig(1);
        var byConfig = Path.Combine(cluster.Root, "replica-1-by-config");
        string[] backupByConfig =
        [
            "backup",
            "--config",
            config,
            "--to",
            byConfig,
            "--key",
            cluster.Layout.OperatorPrivateKey,
        ];
        var running = await CairnProcess.RunAsync(backupByConfig);
        running.ExitCode.Should().Be(1);
        running
            .Error.Should()
            .Contain("replica 1 is running (its database is open); the others form a quorum without it, so stop it");

        // With replica 2 down, stopping replica 1 would leave 2 of the 3 replicas a commit needs: refused, untouched.
        (await cluster.Runner.StopReplicaAsync(2, kill: true, TimeSpan.FromSeconds(5), Ct))
            .Should()
            .BeTrue();
        var refused = await CairnProcess.RunAsync(
            "backup",
            "--replica",
            "1",
            "--cluster",
            dir,
            "--to",
            Path.Combine(cluster.Root, "replica-1-second")
        );
        refused.ExitCode.Should().Be(1);
        refused
            .Error.Should()
            .Contain("would leave 2 healthy replicas, fewer than the 3 the cluster needs")
            .And.Contain("not healthy: 2");
        cluster.Runner.IsRunning(1).Should().BeTrue();
        Directory.Exists(Path.Combine(cluster.Root, "replica-1-second")).Should().BeFalse();
        // The same check from the config: the peers it names, asked over their pinned TLS.
        var noQuorum = await CairnProcess.RunAsync(backupByConfig);
        noQuorum.ExitCode.Should().Be(1);
        noQuorum.Error.Should().Contain("would leave 2 healthy replicas").And.Contain("not healthy: 2");

        // Stopped (as 'systemctl stop' would), replica 1 is backed up from its config and left stopped; the
        // certificate comes from the others, asked with the operator key.
        cluster.Runner.StartReplica(2);
        await cluster.WaitForAsync(s => s[2] is not null, TestCluster.Patience, "replica 2 answering again");
        (await cluster.Runner.StopReplicaAsync(1, kill: false, TimeSpan.FromSeconds(30), Ct)).Should().BeTrue();
        var stopped = await CairnProcess.RunAsync([.. backupByConfig, "--json"]);
        stopped.ExitCode.Should().Be(0, stopped.Error);
        using (var result = JsonDocument.Parse(stopped.Output))
        {
            result.RootElement.GetProperty("replica").GetInt32().Should().Be(1);
            result.RootElement.GetProperty("restarted").GetBoolean().Should().BeFalse();
            certifiedSeq = result.RootElement.GetProperty("certifiedSeqNum").GetUInt64();
            certifiedSeq.Should().BeGreaterThanOrEqualTo(result.RootElement.GetProperty("seqNum").GetUInt64());
        }

        cluster.Runner.IsRunning(1).Should().BeFalse("a replica backed up from its config is left stopped");

        // Replica 1 restored from that backup, from its config: it starts from the certified block and catches up.
        var restore = await CairnProcess.RunAsync("restore", "--config", config, "--from", byConfig, "--json");
        restore.ExitCode.Should().Be(0, restore.Error);
        using (var result = JsonDocument.Parse(restore.Output))
        {
            result.RootElement.GetProperty("seqNum").GetUInt64().Should().Be(certifiedSeq);
        }

        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);

        await cluster.PutManyAsync("after", 20);
        await ConvergedAsync(cluster);
    }

    [Fact]
    public async Task A_new_chain_started_from_a_checkpoint_serves_the_old_state_and_accepts_writes()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7770));
        await cluster.PutManyAsync("old", 20);
        var id = await CreateCheckpointAsync(cluster.Layout.Directory);
        var archive = Path.Combine(cluster.Root, "genesis.tar.gz");
        (
            await CairnProcess.RunAsync(
                "checkpoint",
                "export",
                "--replica",
                "0",
                "--cluster",
                cluster.Layout.Directory,
                "--id",
                $"{id}",
                "--to",
                archive
            )
        )
            .ExitCode.Should()
            .Be(0);
        var newDir = Path.Combine(cluster.Root, "new-chain");

        var init = await CairnProcess.RunAsync(
            "cluster",
            "init",
            "--dir",
            newDir,
            "--base-port",
            TestPorts.Arg(7780),
            "--from-checkpoint",
            archive,
            "--keys",
            cluster.Layout.KeysDirectory
        );

        init.ExitCode.Should().Be(0, init.Error);
        init.Output.Should().Contain("genesis state = checkpoint");
        TestCluster.UseGenerousTimeouts(new Cairn.Node.LocalCluster.ClusterLayout(newDir));
        var runner = new Cairn.Node.LocalCluster.ClusterRunner(
            new Cairn.Node.LocalCluster.ClusterLayout(newDir),
            TestCluster.CairnCommand
        );
        try
        {
            await runner.UpAsync(TestCluster.Patience, Ct);
            var read = await CairnProcess.RunAsync("kv", "get", "old-5", "--cluster", newDir);
            read.ExitCode.Should().Be(0, read.Error);
            read.Output.Trim().Should().Be("v:old-5");
            (await CairnProcess.RunAsync("kv", "put", "new-key", "new-value", "--cluster", newDir))
                .ExitCode.Should()
                .Be(0);
            (await CairnProcess.RunAsync("kv", "get", "new-key", "--cluster", newDir))
                .Output.Trim()
                .Should()
                .Be("new-value");
            (await CairnProcess.RunAsync("kv", "get", "new-key", "--cluster", cluster.Layout.Directory))
                .ExitCode.Should()
                .Be(3, "the old chain never saw it");
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await runner.DownAsync(TimeSpan.FromSeconds(5), timeout.Token);
        }
    }

    [Fact]
    public async Task Every_data_directory_deleted_the_cluster_restored_from_an_archive_serves_the_state_as_of_it()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7920));
        var dir = cluster.Layout.Directory;
        await cluster.PutManyAsync("before", 20);
        var id = await CreateCheckpointAsync(dir);
        var checkpoint = Path.Combine(Database(cluster, 0), "checkpoints", id.ToString(CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(checkpoint, "checkpoint.json")),
            "replica 0 finalising checkpoint " + id
        );
        var archive = Path.Combine(cluster.Root, "disaster-recovery.tar.gz");
        var export = await CairnProcess.RunAsync(
            "checkpoint",
            "export",
            "--replica",
            "0",
            "--cluster",
            dir,
            "--id",
            $"{id}",
            "--to",
            archive
        );
        export.ExitCode.Should().Be(0, export.Error);
        await cluster.PutManyAsync("after", 20);

        // Refusals (a running replica, another chain, a bad checkpoint) are tested in ReplicaMaintenanceTests.
        await cluster.Runner.DownAsync(TimeSpan.FromSeconds(10), Ct);
        foreach (var replica in cluster.Layout.ReplicaIds())
        {
            Directory.Delete(cluster.Layout.ReplicaDataDirectory(replica), recursive: true);
        }

        var restore = await CairnProcess.RunAsync("cluster", "restore", "--dir", dir, "--from", archive, "--json");
        restore.ExitCode.Should().Be(0, restore.Error);
        using (var result = JsonDocument.Parse(restore.Output))
        {
            result.RootElement.GetProperty("id").GetUInt64().Should().Be(id);
            result.RootElement.GetProperty("generation").GetString().Should().NotMatchRegex("^0+$");
            result.RootElement.GetProperty("replicas").GetArrayLength().Should().Be(4);
        }

        await cluster.Runner.UpAsync(TestCluster.Patience, Ct);
        var before = await CairnProcess.RunAsync("kv", "get", "before-7", "--cluster", dir);
        before.ExitCode.Should().Be(0, before.Error);
        before.Output.Trim().Should().Be("v:before-7");
        (await CairnProcess.RunAsync("kv", "get", "after-7", "--cluster", dir))
            .ExitCode.Should()
            .Be(3, "it was written after the checkpoint");
        var put = await CairnProcess.RunAsync("kv", "put", "again", "committed", "--cluster", dir);
        put.ExitCode.Should().Be(0, "f + 1 replicas acknowledged it: {0}", put.Error);

        // The history verifies: a checkpoint of the new generation, chain from genesis and certificate alike.
        var next = await CreateCheckpointAsync(dir);
        var taken = Path.Combine(Database(cluster, 0), "checkpoints", next.ToString(CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(taken, "checkpoint.json")),
            "replica 0 finalising checkpoint " + next
        );
        var verify = await CairnProcess.RunAsync("checkpoint", "verify", taken, "--keys", cluster.Layout.KeysDirectory);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain("✓ quorum certificate");
    }

    private static string Database(TestCluster cluster, int replica) =>
        Path.Combine(cluster.Layout.ReplicaDataDirectory(replica), "rocksdbdata");

    private static async Task<ulong> CreateCheckpointAsync(string dir)
    {
        var create = await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");
        create.ExitCode.Should().Be(0, create.Error);
        return CreatedCheckpoint.Id(create.Output);
    }

    private static Task<ReplicaStatus?[]> ConvergedAsync(TestCluster cluster) =>
        cluster.WaitForAsync(
            s =>
                s.All(r => r is not null) && s.Select(r => (r!.LastBlockId, r.LastBlockDigest)).Distinct().Count() == 1,
            TestCluster.Patience,
            "every replica at one last block digest"
        );
}
