using AwesomeAssertions;
using Cairn.Backup;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Ledger;
using Cairn.Node.Hosting;
using Cairn.Node.Observability;
using Cairn.Operator;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Node.Tests;

/// <summary>The host's side of state transfer: a replica behind its peers' stable checkpoint installs the certified
/// chain segment by segment on its consensus thread, and however a transfer ends, the next one consensus asks for is
/// carried out.</summary>
public sealed class HostStateTransferTests
{
    private readonly List<SigningKey> _keys = [.. Enumerable.Range(0, 4).Select(_ => SigningKey.Generate())];

    [Fact]
    public async Task A_fetch_that_faults_does_not_stop_the_next_one()
    {
        using var ledger = new InMemoryLedger("chain");
        var blocks = new FaultingBlockSource();
        var certified = Digest.Compute([1, 2, 3]);

        // Replicas 1-3 certify seq 8, which replica 0 has not executed: consensus asks for the state, and again on its
        // retry timer while it has not got it.
        var second = await RunHost(
            ledger,
            new BlockTransfer(blocks, BlockTransfer.DefaultSegmentBytes, TimeSpan.FromSeconds(5)),
            new SeqNum(8),
            certified,
            () => blocks.SecondCall
        );

        second.Should().Be(new SeqNum(8), "the fetch that faulted left nothing behind that blocks the next");
    }

    [Fact]
    public async Task A_replica_far_behind_catches_up_segment_by_segment_and_consensus_hears_of_it_once()
    {
        using var truth = LedgerBlockSource.Chain(200);
        using var ledger = new InMemoryLedger("chain");
        var source = new LedgerBlockSource((_, _) => truth);
        var transfer = new BlockTransfer(source, 8 * 1024, TimeSpan.FromSeconds(5));
        ReplicaHost? host = null;

        var executed = await RunHost(
            ledger,
            transfer,
            truth.Head.LastSeqNum,
            truth.Head.LastDigest,
            async () =>
            {
                while (host!.Status.LastExecuted < truth.Head.LastSeqNum)
                {
                    await Task.Delay(20, TestContext.Current.CancellationToken);
                }

                return host.Status.LastExecuted;
            },
            started => host = started
        );

        executed.Should().Be(truth.Head.LastSeqNum, "consensus heard StateTransferCompleted at the target");
        ledger.Head.Should().Be(truth.Head);
        ledger.StateDigest.Should().Be(truth.StateDigest);
        source.Reads(new ReplicaId(1)).Should().BeGreaterThan(20, "the 200 KiB distance came in 8 KiB segments");
    }

    [Fact]
    public async Task A_checkpoint_a_transfer_installs_is_finalised_even_when_a_newer_certificate_overtook_it()
    {
        // The transfer to 16 is served only once consensus holds the certificate of 24 and fetches towards it (the
        // peers certified 24 while replica 0 was fetching): its completion at 16 is then stale to consensus.
        var fetchTo16 = new TaskCompletionSource();
        var fetchTo24 = new TaskCompletionSource();

        var listed = await TransferAcrossTwoCheckpoints(
            (truth, ledger, toSeq) =>
            {
                if (toSeq == new SeqNum(16))
                {
                    fetchTo16.TrySetResult();
                    fetchTo24.Task.Wait(TestContext.Current.CancellationToken);
                    return truth;
                }

                fetchTo24.TrySetResult();
                return ledger.Head.LastSeqNum >= new SeqNum(16) ? truth : null; // not before 16 is installed
            },
            fetchTo16.Task
        );

        listed.Should().Equal([16UL, 24UL], "the transfer to 16 installed certified state at a decided checkpoint");
    }

    [Fact]
    public async Task A_checkpoint_installed_on_the_way_to_a_newer_certificate_is_finalised_with_the_one_it_had()
    {
        // No peer serves the transfer to 16; the one to 24, after the peers certified it, installs 1-24 in one go.
        var fetchTo16 = new TaskCompletionSource();

        var listed = await TransferAcrossTwoCheckpoints(
            (truth, _, toSeq) =>
            {
                fetchTo16.TrySetResult();
                return toSeq == new SeqNum(24) ? truth : null;
            },
            fetchTo16.Task
        );

        listed.Should().Equal([16UL, 24UL], "block 16 is certified state whichever transfer installed it");
    }

    /// <summary>Replica 0, at genesis with DB checkpoints on RocksDB, learns that the peers certified seq 16; once
    /// <paramref name="certify24"/> completes, that they certified 24 too. The peers' chain decided DB checkpoints at
    /// both; <paramref name="serve"/> says what a peer serves when asked to read up to a seq (null: nothing). Returns
    /// the sequence numbers of replica 0's complete checkpoints once the one at 24 is complete.</summary>
    private async Task<IEnumerable<ulong>> TransferAcrossTwoCheckpoints(
        Func<InMemoryLedger, ILedgerStore, SeqNum, InMemoryLedger?> serve,
        Task certify24
    )
    {
        var root = Directory.CreateTempSubdirectory("cairn-transfer-").FullName;
        try
        {
            using var truth = LedgerBlockSource.Chain(24, checkpointsAt: [16, 24]);
            using var ledger = RocksDbLedger.Open(Path.Combine(root, "db"), new LedgerOptions("chain"));
            using var backupMetrics = new BackupMetrics();
            await using var checkpoints = new DbCheckpointManager(
                new DbCheckpointSettings { Path = Path.Combine(root, "checkpoints") },
                ledger,
                "chain",
                FileSystemFreeSpace.Instance,
                TimeProvider.System,
                NullLogger.Instance,
                backupMetrics
            );
            checkpoints.Recover();
            ReplicaHost? host = null;

            var listed = await RunHost(
                ledger,
                new BlockTransfer(
                    new LedgerBlockSource((_, _, toSeq) => serve(truth, ledger, toSeq)),
                    BlockTransfer.DefaultSegmentBytes,
                    TimeSpan.FromSeconds(5)
                ),
                new SeqNum(16),
                truth.GetBlock(new BlockId(16))!.Digest,
                async () =>
                {
                    await certify24;
                    Certify(host!, new SeqNum(24), truth.Head.LastDigest);
                    while (checkpoints.List().All(c => c.SeqNum != new SeqNum(24)))
                    {
                        await Task.Delay(20, TestContext.Current.CancellationToken);
                    }

                    return checkpoints.List();
                },
                started => host = started,
                checkpoints
            );

            listed
                .Should()
                .AllSatisfy(c =>
                    c.Metadata.LastBlockDigest.Should().Be(truth.GetBlock(new BlockId(c.SeqNum.Value))!.Digest)
                );
            return listed.Select(c => c.SeqNum.Value);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs replica 0 over <paramref name="ledger"/>, has replicas 1-3 certify <paramref name="seq"/> with
    /// <paramref name="digest"/>, and stops it once <paramref name="until"/> completes.</summary>
    private async Task<T> RunHost<T>(
        ILedgerStore ledger,
        BlockTransfer transfer,
        SeqNum seq,
        Digest digest,
        Func<Task<T>> until,
        Action<ReplicaHost>? started = null,
        DbCheckpointManager? checkpoints = null
    )
    {
        var options = new ReplicaOptions
        {
            Id = new ReplicaId(0),
            F = 1,
            SigningKey = _keys[0],
            ReplicaKeys = [.. _keys.Select(k => k.PublicKey)],
            CheckpointWindowSize = 8,
            ViewChangeTimeout = TimeSpan.FromMilliseconds(200),
        };
        var metrics = new ReplicaMetrics();
        var host = new ReplicaHost(
            options,
            ledger,
            new NoPeers(),
            transfer,
            new OperatorCommandVerifier(SigningKey.Generate().PublicKey, "chain", TimeSpan.FromMinutes(5)),
            checkpoints,
            TimeProvider.System,
            NullLogger.Instance,
            metrics
        );
        started?.Invoke(host);
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);
        Certify(host, seq, digest);

        var result = await until().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;
        return result;
    }

    /// <summary>Replicas 1-3 send <paramref name="host"/> their CHECKPOINT for <paramref name="seq"/>: 2f + 1 of
    /// them, a stable certificate.</summary>
    private void Certify(ReplicaHost host, SeqNum seq, Digest digest)
    {
        foreach (var peer in Enumerable.Range(1, 3))
        {
            var checkpoint = new CheckpointMessage(seq, digest, new ReplicaId(peer));
            host.ReceivePeerMessage(new ReplicaId(peer), checkpoint.SignWith(_keys[peer]).Encode());
        }
    }
}
