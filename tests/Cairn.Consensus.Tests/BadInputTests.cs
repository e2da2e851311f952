using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using CsCheck;

namespace Cairn.Consensus.Tests;

public sealed class BadInputTests
{
    private static readonly ViewNum V0 = new(0);

    private static PrePrepare PrePrepareFrom(Harness h, int sender, ulong seq, ClientRequest? request = null) =>
        h.Sign(
            sender,
            new PrePrepare(
                V0,
                new SeqNum(seq),
                h.Now.ToUnixTimeMilliseconds(),
                new Batch([request ?? Harness.Request(1, seq)]),
                new ReplicaId(sender)
            )
        );

    private static IReadOnlyList<ConsensusOutput> Receive(Harness h, int at, ConsensusMessage message) =>
        h.Deliver(at, new MessageReceived(message.Sender, message));

    [Fact]
    public void Random_bytes_never_throw_and_change_nothing()
    {
        var h = new Harness();
        Gen.Byte.Array[0, 300]
            .Sample(
                bytes =>
                {
                    var outputs = h.Deliver(1, new RawMessageReceived(new ReplicaId(2), bytes));
                    outputs.Should().BeEmpty();
                },
                threads: 1 // one replica takes one input at a time, as its host's consensus thread gives them
            );
        h.Replicas[1].Drops[DropReason.Malformed].Should().BeGreaterThan(0);
        h.Replicas[1].LastExecuted.Should().Be(SeqNum.Zero);
    }

    [Fact]
    public void Validly_signed_messages_with_arbitrary_fields_never_throw()
    {
        var h = new Harness();
        h.Submit(Harness.Request(1, 1));
        h.Flush();
        EncodingTests.GenMessage.Sample(
            message =>
            {
                for (var at = 0; at <= 1; at++)
                {
                    h.Replicas[at]
                        .Invoking(r => r.Handle(new MessageReceived(message.Sender, message)))
                        .Should()
                        .NotThrow();
                }
            },
            iter: 300,
            threads: 1 // the replicas are shared by every sample: one input at a time, as a host gives them
        );
        h.Replicas[1].LastExecuted.Should().Be(new SeqNum(1));
    }

    [Fact]
    public void Truncated_or_extended_encodings_are_dropped_as_malformed()
    {
        var h = new Harness();
        var bytes = PrePrepareFrom(h, 0, 1).Encode();

        h.Deliver(1, new RawMessageReceived(new ReplicaId(0), bytes.AsMemory(0, bytes.Length - 1))).Should().BeEmpty();
        h.Deliver(1, new RawMessageReceived(new ReplicaId(0), bytes.Append((byte)0).ToArray())).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.Malformed].Should().Be(2);
    }

    [Fact]
    public void A_badly_signed_pre_prepare_is_dropped_and_no_prepare_is_sent()
    {
        var h = new Harness();
        var forged = PrePrepareFrom(h, 0, 1) with { Signature = Harness.ReplicaKey(2).Sign("nope"u8) };

        Receive(h, 1, forged).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.BadSignature].Should().Be(1);
        // The genuine one is still accepted afterwards: the forgery did not occupy the slot.
        Receive(h, 1, PrePrepareFrom(h, 0, 1))
            .Should()
            .Contain(o => o is Broadcast && ((Broadcast)o).Message is Prepare);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(-120_000)]
    [InlineData(120_000)]
    public void A_pre_prepare_with_a_timestamp_outside_the_bound_is_dropped(long offsetOrExtreme)
    {
        var h = new Harness();
        var now = h.Now.ToUnixTimeMilliseconds();
        var timestamp = offsetOrExtreme is 120_000 or -120_000 ? now + offsetOrExtreme : offsetOrExtreme;
        var pp = h.Sign(
            0,
            new PrePrepare(V0, new SeqNum(1), timestamp, new Batch([Harness.Request(1, 1)]), new ReplicaId(0))
        );

        Receive(h, 1, pp).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.BadTimestamp].Should().Be(1);
    }

    [Fact]
    public void A_pre_prepare_from_a_backup_is_dropped()
    {
        var h = new Harness();
        Receive(h, 1, PrePrepareFrom(h, 2, 1)).Should().BeEmpty();
        h.Replicas[1].Drops[DropReason.WrongSender].Should().Be(1);
    }

    [Fact]
    public void Messages_for_an_old_view_are_dropped_as_stale()
    {
        var h = new Harness();
        var viewChanges = Enumerable
            .Range(1, 3)
            .Select(i => h.Sign(i, new ViewChange(new ViewNum(1), null, [], new ReplicaId(i))))
            .ToList();
        Receive(h, 2, h.Sign(1, new NewView(new ViewNum(1), 0, viewChanges, [], new ReplicaId(1))));
        h.Replicas[2].View.Should().Be(new ViewNum(1));

        Receive(h, 2, h.Sign(3, new Prepare(V0, new SeqNum(1), Digest.Zero, new ReplicaId(3)))).Should().BeEmpty();

        h.Replicas[2].Drops[DropReason.StaleView].Should().Be(1);
    }

    [Fact]
    public void A_second_different_pre_prepare_for_a_slot_is_evidence_not_a_replacement()
    {
        var h = new Harness();
        var first = PrePrepareFrom(h, 0, 1, Harness.Request(1, 1));
        var second = PrePrepareFrom(h, 0, 1, Harness.Request(2, 1));
        Receive(h, 1, first);

        Receive(h, 1, second).Should().BeEmpty();
        Receive(h, 1, first).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.Equivocation].Should().Be(1);
        h.Replicas[1].Drops[DropReason.Duplicate].Should().Be(1);
        h.Persisted[1].OfType<SlotRecord>().Should().ContainSingle().Which.Accepted!.Digest.Should().Be(first.Digest);
    }

    [Fact]
    public void A_pre_prepare_carrying_a_forged_client_request_is_dropped()
    {
        var h = new Harness();
        var genuine = Harness.Request(1, 1);
        var forged = ClientRequest.WithSignature(1, 1, RequestFlags.None, "steal"u8, genuine.Signature);

        Receive(h, 1, PrePrepareFrom(h, 0, 1, forged)).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.BadBatch].Should().Be(1);
    }

    [Fact]
    public void Client_requests_that_are_unsigned_or_from_unknown_clients_are_dropped()
    {
        var h = new Harness();
        var genuine = Harness.Request(1, 1);

        h.Deliver(0, new ClientRequestReceived(ClientRequest.WithSignature(1, 1, RequestFlags.None, "op"u8, default)));
        h.Deliver(
            0,
            new ClientRequestReceived(
                ClientRequest.Create(99, 1, RequestFlags.None, "op"u8, SigningKey.FromSeed(new byte[32]))
            )
        );

        h.Replicas[0].Drops[DropReason.BadSignature].Should().Be(1);
        h.Replicas[0].Drops[DropReason.UnknownClient].Should().Be(1);
        h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<PrePrepare>().Should().BeEmpty();
        h.Submit(genuine);
        h.OutputsOf<Broadcast>(0).Select(b => b.Message).OfType<PrePrepare>().Should().ContainSingle();
    }

    [Fact]
    public void A_request_the_host_verified_is_not_checked_again_but_must_still_come_from_a_known_client()
    {
        var h = new Harness();
        var unsigned = ClientRequest.WithSignature(1, 1, RequestFlags.None, "op"u8, default);
        var stranger = ClientRequest.WithSignature(42, 1, RequestFlags.None, "op"u8, default);

        h.Deliver(0, new ClientRequestReceived(stranger, SignatureVerified: true));
        h.Deliver(0, new ClientRequestReceived(unsigned, SignatureVerified: true));

        h.Replicas[0].Drops[DropReason.UnknownClient].Should().Be(1);
        h.OutputsOf<Broadcast>(0)
            .Select(b => b.Message)
            .OfType<PrePrepare>()
            .Should()
            .ContainSingle("the host vouched for the signature");
    }

    [Fact]
    public void Messages_from_unknown_senders_or_claiming_to_be_the_receiver_are_dropped()
    {
        var h = new Harness();
        var stranger = new Prepare(V0, new SeqNum(1), Digest.Zero, new ReplicaId(7)).SignWith(Harness.ReplicaKey(7));
        var mirror = h.Sign(1, new Prepare(V0, new SeqNum(1), Digest.Zero, new ReplicaId(1)));

        Receive(h, 1, stranger).Should().BeEmpty();
        Receive(h, 1, mirror).Should().BeEmpty();

        h.Replicas[1].Drops[DropReason.UnknownSender].Should().Be(1);
        h.Replicas[1].Drops[DropReason.Duplicate].Should().Be(1);
    }

    [Fact]
    public void A_view_change_with_a_forged_prepared_proof_is_dropped()
    {
        var h = new Harness();
        var pp = PrePrepareFrom(h, 0, 1);
        var prepares = new[]
        {
            h.Sign(1, new Prepare(V0, new SeqNum(1), pp.Digest, new ReplicaId(1))),
            h.Sign(1, new Prepare(V0, new SeqNum(1), pp.Digest, new ReplicaId(1))),
        };
        var viewChange = h.Sign(
            2,
            new ViewChange(new ViewNum(1), null, [new PreparedProof(pp, prepares)], new ReplicaId(2))
        );

        Receive(h, 3, viewChange).Should().BeEmpty();

        h.Replicas[3].Drops[DropReason.BadViewChange].Should().Be(1, "two PREPAREs from one replica are not 2f");
    }
}
