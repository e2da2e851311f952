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
    private static readonly Signature NoSignature = Signature.FromBytes(new byte[Signature.Size]);

    [Fact]
    public async Task Only_batches_whose_requests_carry_their_clients_signatures_are_prepared()
    {
        using var ledger = new InMemoryLedger("chain");
        var metrics = new ReplicaMetrics();
        var peers = new RecordingPeers();
        var host = Host(1, ledger, metrics, peers);
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);

        // Admitted first, so its signature is known to be good: a forgery with the same client and request id, in
        // seq 1, must not pass for it.
        var admitted = Request(1, "admitted"u8);
        host.Refusal(admitted, keyProven: false, out var signatureChecked).Should().BeNull();
        signatureChecked.Should().BeTrue();
        var forged = ClientRequest.WithSignature(Client, 1, RequestFlags.None, "steal"u8, admitted.Signature);
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(1, forged));
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(2, admitted));
        // Never admitted here: checked with its batch.
        host.ReceivePeerMessage(new ReplicaId(0), Proposal(3, Request(2, "only in the batch"u8)));

        await WaitForPrepares(peers, 2);
        await stop.CancelAsync();
        await running;
        // One input queue per peer, taken in order: seq 1 was handled before seq 2 and 3 were prepared.
        PreparedSeqs(peers).Should().BeEquivalentTo([2UL, 3UL]);
    }

    [Fact]
    public async Task A_backup_takes_a_request_on_its_clients_proven_session_and_the_primary_checks_its_signature()
    {
        using var ledger = new InMemoryLedger("chain");
        var metrics = new ReplicaMetrics();
        var peers = new RecordingPeers();
        var backup = Host(1, ledger, metrics, peers);
        using var stop = new CancellationTokenSource();
        var running = backup.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);

        // A client that proved its key on the connection but signs a request badly: the backup (replica 1 in view 0)
        // takes the session's word, so the request is its client's and a PRE-PREPARE carrying it is prepared; the same
        // bytes never came on a proven session at seq 2's request, which is checked and refused.
        var badlySigned = ClientRequest.WithSignature(Client, 1, RequestFlags.None, "vouched"u8, NoSignature);
        backup.Refusal(badlySigned, keyProven: true, out var signatureChecked).Should().BeNull();
        signatureChecked.Should().BeFalse();
        var unvouched = ClientRequest.WithSignature(Client, 2, RequestFlags.None, "not vouched"u8, NoSignature);
        backup.Refusal(unvouched, keyProven: false, out _).Should().Contain("not signed by");
        backup.ReceivePeerMessage(new ReplicaId(0), Proposal(1, badlySigned));
        backup.ReceivePeerMessage(new ReplicaId(0), Proposal(2, unvouched));
        backup.ReceivePeerMessage(new ReplicaId(0), Proposal(3, Request(3, "signed"u8)));
        await WaitForPrepares(peers, 2);
        await stop.CancelAsync();
        await running;
        PreparedSeqs(peers).Should().BeEquivalentTo([1UL, 3UL]);

        // The primary (replica 0) checks every signature, proven session or not: it proposes only what any replica can
        // verify.
        using var primaryLedger = new InMemoryLedger("chain");
        var primaryMetrics = new ReplicaMetrics();
        var primary = Host(0, primaryLedger, primaryMetrics, new RecordingPeers());
        primary.Refusal(badlySigned, keyProven: true, out _).Should().Contain("not signed by");
        primary.Refusal(Request(4, "signed"u8), keyProven: true, out var checkedByPrimary).Should().BeNull();
        checkedByPrimary.Should().BeTrue();
    }

    [Fact]
    public async Task A_prepare_goes_out_after_one_synced_write_of_the_groups_records_not_a_write_and_a_sync()
    {
        using var ledger = new CountingLedger();
        var peers = new RecordingPeers();
        var backup = Host(1, ledger, new ReplicaMetrics(), peers);
        using var stop = new CancellationTokenSource();
        var running = backup.RunAsync(TimeSpan.FromMilliseconds(10), stop.Token);

        backup.ReceivePeerMessage(new ReplicaId(0), Proposal(1, Request(1, "put"u8)));
        await WaitForPrepares(peers, 1);
        await stop.CancelAsync();
        await running;

        ledger
            .SyncedMetadataWrites.Should()
            .BeGreaterThanOrEqualTo(1, "the accepted proposal is durable before its PREPARE");
        ledger.Syncs.Should().Be(0, "each group that wrote records synced with that write");
    }

    private ReplicaHost Host(int id, ILedgerStore ledger, ReplicaMetrics metrics, RecordingPeers peers) =>
        new(
            new ReplicaOptions
            {
                Id = new ReplicaId(id),
                F = 1,
                SigningKey = _keys[id],
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

    private static async Task WaitForPrepares(RecordingPeers peers, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (PreparedSeqs(peers).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
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
