using System.Globalization;
using System.Text.Json;
using AwesomeAssertions;
using Cairn.Backup.Tests;

namespace Cairn.IntegrationTests;

/// <summary>A real cluster's DB checkpoint, one value of its state changed with RocksDB directly and checkpoint.json
/// and the manifest rewritten to match: the quorum certificate covers the last block, which records the state digest,
/// so <c>cairn checkpoint verify</c>, <c>cairn restore</c> and <c>kv get --checkpoint</c> refuse it.</summary>
public sealed class TamperedStateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_checkpoint_whose_state_was_altered_is_refused_by_verify_restore_and_reads()
    {
        await using var cluster = await TestCluster.StartAsync(TestPorts.At(7960));
        var dir = cluster.Layout.Directory;
        await cluster.PutManyAsync("before", 20);
        var create = await CairnProcess.RunAsync("op", "dbCheckpoint", "create", "--cluster", dir, "--json");
        create.ExitCode.Should().Be(0, create.Error);
        ulong id;
        using (var created = JsonDocument.Parse(create.Output))
        {
            id = created
                .RootElement.GetProperty("replicas")[0]
                .GetProperty("checkpoints")[0]
                .GetProperty("id")
                .GetUInt64();
        }

        var taken = Path.Combine(
            cluster.Layout.ReplicaDataDirectory(0),
            "rocksdbdata",
            "checkpoints",
            id.ToString(CultureInfo.InvariantCulture)
        );
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(taken, "checkpoint.json")),
            "replica 0 finalising checkpoint " + id
        );
        var archive = Path.Combine(cluster.Root, "good.tar.gz");
        (
            await CairnProcess.RunAsync(
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
            )
        )
            .ExitCode.Should()
            .Be(0);
        var forged = Path.Combine(cluster.Root, "forged");
        Cairn.Backup.CheckpointArchive.Extract(archive, forged);
        var good = await CairnProcess.RunAsync("checkpoint", "verify", forged, "--keys", cluster.Layout.KeysDirectory);
        good.ExitCode.Should().Be(0, "the copy verifies before it is altered: " + good.Output + good.Error);

        var forgedDigest = StateForgery.AlterValue(forged, "before-7", "forged");

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

        await cluster.Runner.StopReplicaAsync(3, kill: false, TimeSpan.FromSeconds(10), Ct);
        var restore = await CairnProcess.RunAsync("restore", "--replica", "3", "--cluster", dir, "--from", forged);
        restore.ExitCode.Should().Be(1);
        restore.Error.Trim().Should().NotContain("\n").And.Contain(forged).And.Contain(forgedDigest.ToHex());

        var read = await CairnProcess.RunAsync("kv", "get", "before-7", "--checkpoint", forged);
        read.ExitCode.Should().Be(1);
        read.Error.Should().Contain("state does not match its certificate").And.Contain(forgedDigest.ToHex());
    }
}
