using AwesomeAssertions;
using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.Consensus.Tests;

public sealed class EncodingTests
{
    // Mostly small values, so the fuzz in BadInputTests reaches the handlers' deeper checks; sometimes extremes.
    private static readonly Gen<ViewNum> GenView = Gen.Frequency((3, Gen.ULong[0, 2]), (1, Gen.ULong))
        .Select(v => new ViewNum(v));
    private static readonly Gen<SeqNum> GenSeq = Gen.Frequency((3, Gen.ULong[0, 12]), (1, Gen.ULong))
        .Select(v => new SeqNum(v));
    private static readonly Gen<ReplicaId> GenReplica = Gen.Int[0, 3].Select(i => new ReplicaId(i));
    private static readonly Gen<Digest> GenDigest = Gen.Byte.Array[32].Select(b => Digest.FromBytes(b));

    private static readonly Gen<ClientRequest> GenRequest = Gen.Select(
        Gen.ULong[1, 3],
        Gen.ULong,
        Gen.Byte[0, 3],
        Gen.Byte.Array[0, 40],
        (client, id, flags, op) => ClientRequest.Create(client, id, (RequestFlags)flags, op, Harness.ClientKey(client))
    );

    private static readonly Gen<Batch> GenBatch = GenRequest.List[0, 4].Select(r => new Batch(r));

    private static readonly Gen<PrePrepare> GenPrePrepare = Gen.Select(
        GenView,
        GenSeq,
        Gen.Long,
        GenBatch,
        GenReplica,
        (v, s, ts, b, r) => (PrePrepare)new PrePrepare(v, s, ts, b, r).SignWith(Harness.ReplicaKey(r.Value))
    );

    private static readonly Gen<Prepare> GenPrepare = Gen.Select(
        GenView,
        GenSeq,
        GenDigest,
        GenReplica,
        (v, s, d, r) => (Prepare)new Prepare(v, s, d, r).SignWith(Harness.ReplicaKey(r.Value))
    );

    private static readonly Gen<StableCheckpointCertificate> GenCertificate = Gen.Select(
        GenSeq,
        GenDigest,
        GenReplica.Array[0, 4],
        (s, d, rs) =>
            new StableCheckpointCertificate(
                s,
                d,
                [
                    .. rs.Select(r => new ReplicaSignature(
                        r,
                        Harness.ReplicaKey(r.Value).Sign(new CheckpointMessage(s, d, r).SigningBytes())
                    )),
                ]
            )
    );

    private static readonly Gen<ViewChange> GenViewChange = Gen.Select(
        GenView,
        GenCertificate.Null(),
        Gen.Select(GenPrePrepare, GenPrepare.List[0, 3], (pp, ps) => new PreparedProof(pp, ps)).List[0, 2],
        GenReplica,
        (v, c, proofs, r) => (ViewChange)new ViewChange(v, c, proofs, r).SignWith(Harness.ReplicaKey(r.Value))
    );

    private static readonly Gen<NewView> GenNewView = Gen.Select(
        GenView,
        Gen.Long,
        GenViewChange.List[0, 2],
        GenPrePrepare.List[0, 2],
        GenReplica,
        (v, ts, vcs, pps, r) => (NewView)new NewView(v, ts, vcs, pps, r).SignWith(Harness.ReplicaKey(r.Value))
    );

    internal static readonly Gen<ConsensusMessage> GenMessage = Gen.OneOf(
        GenPrePrepare.Select(m => (ConsensusMessage)m),
        GenPrepare.Select(m => (ConsensusMessage)m),
        Gen.Select(GenView, GenSeq, GenDigest, GenDigest, GenReplica, (v, s, d, g, r) => new Commit(v, s, d, g, r)),
        Gen.Select(
            GenSeq,
            GenDigest,
            GenReplica,
            (s, d, r) => new CheckpointMessage(s, d, r).SignWith(Harness.ReplicaKey(r.Value))
        ),
        GenViewChange.Select(m => (ConsensusMessage)m),
        GenNewView.Select(m => (ConsensusMessage)m),
        Gen.Select(
            GenView,
            Gen.Bool,
            GenSeq,
            GenSeq,
            GenReplica,
            (v, a, s, e, r) => new StatusMessage(v, a, s, e, r).SignWith(Harness.ReplicaKey(r.Value))
        ),
        Gen.Select(GenView, GenReplica, (v, r) => new ViewComplaint(v, r).SignWith(Harness.ReplicaKey(r.Value)))
    );

    [Fact]
    public void Every_message_round_trips_byte_for_byte_and_still_verifies()
    {
        GenMessage.Sample(
            message =>
            {
                var bytes = message.Encode();
                var decoded = ConsensusMessage.Decode(bytes);
                decoded.GetType().Should().Be(message.GetType());
                decoded.Encode().Should().Equal(bytes);
                if (message.TravelsUnsigned)
                {
                    decoded.Should().Be(message);
                }
                else
                {
                    decoded.VerifySignature(Harness.ReplicaKey(message.Sender.Value).PublicKey).Should().BeTrue();
                }
            },
            iter: 200
        );
    }

    [Fact]
    public void Flipping_any_byte_of_a_message_breaks_decoding_or_the_signature_or_changes_an_unsigned_one()
    {
        Gen.Select(GenMessage, Gen.Int[0, int.MaxValue])
            .Sample(
                (message, position) =>
                {
                    var bytes = message.Encode();
                    bytes[position % bytes.Length] ^= 0x01;
                    if (ConsensusMessage.TryDecode(bytes, out var decoded) && decoded!.TravelsUnsigned)
                    {
                        decoded.Should().NotBe(message, "its link, not a signature, vouches for these bytes");
                    }
                    else if (decoded is not null)
                    {
                        var sender = decoded!.Sender.Value;
                        var valid =
                            sender is >= 0 and < 4 && decoded.VerifySignature(Harness.ReplicaKey(sender).PublicKey);
                        valid.Should().BeFalse();
                    }
                },
                iter: 200
            );
    }

    [Fact]
    public void Certificates_and_persistent_records_round_trip()
    {
        GenCertificate.Sample(c => StableCheckpointCertificate.Decode(c.Encode()).Encode().Should().Equal(c.Encode()));
        Gen.OneOf(
                Gen.Select(GenView, Gen.Bool, (v, a) => (PersistentRecord)new ViewRecord(v, a)),
                GenCertificate.Select(c => (PersistentRecord)new StableCheckpointRecord(c)),
                GenNewView.Select(n => (PersistentRecord)new NewViewRecord(n)),
                Gen.Select(
                    GenView,
                    GenSeq,
                    Gen.Bool,
                    (v, s, learned) => learned ? (PersistentRecord)new RestoreRecord(v, s) : RestoreRecord.Learning
                ),
                Gen.Select(
                    GenSeq,
                    GenPrePrepare.Null(),
                    GenPrePrepare.Null(),
                    (s, a, c) => (PersistentRecord)new SlotRecord(s, a, a is null ? null : new PreparedProof(a, []), c)
                ),
                GenPrePrepare.Select(p => (PersistentRecord)new ProposalRecord(p))
            )
            .Sample(
                record => PersistentRecord.Decode(record.Encode()).Encode().Should().Equal(record.Encode()),
                iter: 100
            );
    }

    [Fact]
    public void A_proposal_and_its_record_know_their_encoded_size_before_they_are_written() =>
        // The size is what the writer is given (a wrong one would cost a copy of the batch): exact for both.
        GenPrePrepare.Sample(
            proposal =>
            {
                proposal.Encode().Should().HaveCount(proposal.EncodedLengthHint);
                proposal.WithoutBatch().Encode().Should().HaveCount(proposal.WithoutBatch().EncodedLengthHint);
                var record = new ProposalRecord(proposal);
                record.Encode().Should().HaveCount(record.EncodedLengthHint);
            },
            iter: 100
        );

    [Fact]
    public void A_proposal_record_holds_a_whole_proposal_and_a_stored_header_does_not_decode_as_one()
    {
        var whole = (PrePrepare)
            new PrePrepare(new ViewNum(0), new SeqNum(3), 5, Batch.NoOp, new ReplicaId(0)).SignWith(
                Harness.ReplicaKey(0)
            );
        var header = whole.WithoutBatch();

        var act = () => new ProposalRecord(header);

        act.Should().Throw<ArgumentException>();
        PersistentRecord.Decode(new ProposalRecord(whole).Encode()).Should().BeOfType<ProposalRecord>();
        var headerOnly = new CanonicalWriter().WriteByte(7).WriteBytes(header.Encode()).ToArray();
        ((Action)(() => PersistentRecord.Decode(headerOnly))).Should().Throw<CanonicalEncodingException>();
    }

    [Fact]
    public void A_decoded_batchs_requests_share_its_bytes_and_still_verify_and_keep_their_operations()
    {
        var requests = new[] { Harness.Request(1, 1, "first"), Harness.Request(2, 7, new string('x', 70_000)) };
        var batch = new Batch(requests);

        var decoded = Batch.Decode(batch.Encoded);

        decoded.Encoded.ToArray().Should().Equal(batch.Encoded.ToArray());
        for (var i = 0; i < requests.Length; i++)
        {
            var request = decoded.Requests[i];
            request.Digest.Should().Be(requests[i].Digest);
            request.Operation.ToArray().Should().Equal(requests[i].Operation.ToArray());
            request.Verify(Harness.ClientKey(request.ClientId).PublicKey).Should().BeTrue();
            request.Verify(Harness.ClientKey(3).PublicKey).Should().BeFalse();
        }
    }

    [Fact]
    public void A_proposal_digest_is_sha256_of_tag_timestamp_and_batch_as_stored_and_sent_by_earlier_versions()
    {
        var batch = new Batch([Harness.Request(1, 1)]);
        var signed = new CanonicalWriter().WriteByte(0x50).WriteInt64(-5).WriteFixed(batch.Encoded).ToArray();

        batch.ProposalDigest(-5).Should().Be(Digest.Compute(signed));
    }
}
