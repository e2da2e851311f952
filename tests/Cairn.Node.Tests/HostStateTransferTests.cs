using AwesomeAssertions;
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

    /// <summary>Runs replica 0 over <paramref name="ledger"/>, has replicas 1-3 certify <paramref name="seq"/> with
    /// <paramref name="digest"/>, and stops it once <paramref name="until"/> completes.</summary>
    private async Task<T> RunHost<T>(
        InMemoryLedger ledger,
        BlockTransfer transfer,
        SeqNum seq,
        Digest digest,
        Func<Task<T>> until,
        Action<ReplicaHost>? started = null
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
        using var metrics = new ReplicaMetrics();
        var host = new ReplicaHost(
            options,
            ledger,
            new NoPeers(),
            transfer,
            new OperatorCommandVerifier(SigningKey.Generate().PublicKey, "chain", TimeSpan.FromMinutes(5)),
            checkpoints: null,
            TimeProvider.System,
            NullLogger.Instance,
            metrics
        );
        started?.Invoke(host);
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);
        foreach (var peer in Enumerable.Range(1, 3))
        {
            var checkpoint = new CheckpointMessage(seq, digest, new ReplicaId(peer));
            host.ReceivePeerMessage(new ReplicaId(peer), checkpoint.SignWith(_keys[peer]).Encode());
        }

        var result = await until().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;
        return result;
    }
}
