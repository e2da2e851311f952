using AwesomeAssertions;
using Cairn.ClientProtocol;
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

/// <summary>The client requests of a PRE-PREPARE are checked on the thread that received it, each once whether it came
/// on admission or with its batch first, and a batch holding a forged request still gets no PREPARE.</summary>
public sealed class HostBatchVerificationTests
{
    private const ulong Client = 1;
    private readonly List<SigningKey> _keys = [.. Enumerable.Range(0, 4).Select(_ => SigningKey.Generate())];
    private readonly SigningKey _clientKey = SigningKey.Generate();

    [Fact]
    public async Task Only_batches_whose_requests_carry_their_clients_signatures_are_prepared()
    {
        using var ledger = new InMemoryLedger("chain");
        using var metrics = new ReplicaMetrics();
        var peers = new RecordingPeers();
        var host = new ReplicaHost(
            new ReplicaOptions
            {
                Id = new ReplicaId(1),
                F = 1,
                SigningKey = _keys[1],
                ReplicaKeys = [.. _keys.Select(k => k.PublicKey)],
                ClientKeys = new Dictionary<ulong, VerificationKey> { [Client] = _clientKey.PublicKey },
            },
            ledger,
            peers,
            transfer: null,
            new OperatorCommandVerifier(SigningKey.Generate().PublicKey, "chain", TimeSpan.FromMinutes(5)),
            checkpoints: null,
            TimeProvider.System,
            NullLogger.Instance,
            metrics
        );
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);

        // Admitted first, so its signature is known to be good: a forgery with the same client and request id, in
        // seq 1, must not pass for it.
        var admitted = Request(1, "admitted"u8);
        host.Refusal(admitted).Should().BeNull();
        var forged = ClientRequest.WithSignature(Client, 1, RequestFlags.None, "steal"u8, admitted.Signature);
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(1, forged));
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(2, admitted));
        // Never admitted here: checked with its batch.
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(3, Request(2, "only in the batch"u8)));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (PreparedSeqs(peers).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await running;
        // One input queue per peer, taken in order: seq 1 was handled before seq 2 and 3 were prepared.
        PreparedSeqs(peers).Should().BeEquivalentTo([2UL, 3UL]);
    }

    private static List<ulong> PreparedSeqs(RecordingPeers peers) =>
        [.. peers.Sent.OfType<Prepare>().Select(p => p.Seq.Value).Distinct()];

    private ClientRequest Request(ulong id, ReadOnlySpan<byte> operation) =>
        ClientRequest.Create(Client, id, RequestFlags.None, operation, _clientKey);

    private byte[] Proposal(ulong seq, ClientRequest request) =>
        new PrePrepare(
            new ViewNum(0),
            new SeqNum(seq),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new Batch([request]),
            new ReplicaId(0)
        )
            .SignWith(_keys[0])
            .Encode();
}
