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

/// <summary>The host's side of state transfer: however a fetch ends, the next one consensus asks for is carried
/// out.</summary>
public sealed class HostStateTransferTests
{
    [Fact]
    public async Task A_fetch_that_faults_does_not_stop_the_next_one()
    {
        var keys = Enumerable.Range(0, 4).Select(_ => SigningKey.Generate()).ToList();
        var options = new ReplicaOptions
        {
            Id = new ReplicaId(0),
            F = 1,
            SigningKey = keys[0],
            ReplicaKeys = [.. keys.Select(k => k.PublicKey)],
            CheckpointWindowSize = 8,
            ViewChangeTimeout = TimeSpan.FromMilliseconds(200),
        };
        using var ledger = new InMemoryLedger("chain");
        using var metrics = new ReplicaMetrics();
        var fetcher = new FaultingFetcher();
        var host = new ReplicaHost(
            options,
            ledger,
            new NoPeers(),
            fetcher,
            new OperatorCommandVerifier(SigningKey.Generate().PublicKey, "chain", TimeSpan.FromMinutes(5)),
            checkpoints: null,
            TimeProvider.System,
            NullLogger.Instance,
            metrics
        );
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);

        // Replicas 1-3 certify seq 8, which replica 0 has not executed: consensus asks for the state, and again on its
        // retry timer while it has not got it.
        var certified = Digest.Compute([1, 2, 3]);
        foreach (var peer in Enumerable.Range(1, 3))
        {
            var checkpoint = new CheckpointMessage(new SeqNum(8), certified, new ReplicaId(peer));
            host.ReceivePeerMessage(new ReplicaId(peer), checkpoint.SignWith(keys[peer]).Encode());
        }

        var second = await fetcher.SecondCall.WaitAsync(
            TimeSpan.FromSeconds(60),
            TestContext.Current.CancellationToken
        );
        await stop.CancelAsync();
        await running;

        second.TargetSeq.Should().Be(new SeqNum(8), "the fetch that faulted left nothing behind that blocks the next");
        second.CertifiedDigest.Should().Be(certified);
    }
}
