using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Encoding;
using CsCheck;

namespace Cairn.ClientProtocol.Tests;

public sealed class ClientMessageEncodingTests
{
    private static readonly Gen<ClientRequest> GenRequest = Gen.Select(
        Gen.ULong[1, 3],
        Gen.ULong,
        Gen.Byte[0, 3],
        Gen.Byte.Array[0, 40],
        (client, id, flags, op) => ClientRequest.Create(client, id, (RequestFlags)flags, op, TestKeys.Client(client))
    );

    private static readonly Gen<ClientReply> GenReply = Gen.Select(
        Gen.ULong,
        Gen.ULong,
        Gen.Byte.Array[0, 50],
        Gen.Int[0, 3],
        (client, id, result, replica) =>
            ClientReply.Create(client, id, result).SignAs(new ReplicaId(replica), TestKeys.Replica(replica))
    );

    [Fact]
    public void Requests_round_trip_byte_for_byte_and_still_verify()
    {
        GenRequest.Sample(request =>
        {
            var decoded = ClientRequest.Decode(request.Encode());
            decoded.Encode().Should().Equal(request.Encode());
            decoded.Digest.Should().Be(request.Digest);
            decoded.Verify(TestKeys.Client(request.ClientId).PublicKey).Should().BeTrue();
        });
    }

    [Fact]
    public void Replies_round_trip_and_still_verify()
    {
        GenReply.Sample(reply =>
        {
            var decoded = ClientReply.Decode(reply.Encode());
            decoded.Encode().Should().Equal(reply.Encode());
            decoded.SameAnswerAs(reply).Should().BeTrue();
            decoded.Verify(TestKeys.Replica(reply.Replica.Value).PublicKey).Should().BeTrue();
        });
    }

    [Fact]
    public void Flipping_any_byte_of_a_request_breaks_decoding_or_the_signature()
    {
        Gen.Select(GenRequest, Gen.Int[0, int.MaxValue])
            .Sample(
                (request, position) =>
                {
                    var bytes = request.Encode();
                    bytes[position % bytes.Length] ^= 0x01;
                    try
                    {
                        var decoded = ClientRequest.Decode(bytes);
                        var valid =
                            decoded.ClientId is >= 1 and <= 3
                            && decoded.Verify(TestKeys.Client(decoded.ClientId).PublicKey);
                        valid.Should().BeFalse();
                    }
                    catch (CanonicalEncodingException) { }
                },
                iter: 200
            );
    }

    [Fact]
    public void A_request_with_unknown_flags_or_another_message_type_is_refused()
    {
        var bytes = ClientRequest.Create(1, 1, RequestFlags.None, "op"u8, TestKeys.Client(1)).Encode();
        bytes[17] = 0x80; // after the type byte, client id and request id (8 bytes each): the flags
        var unknownFlags = () => ClientRequest.Decode(bytes);
        unknownFlags.Should().Throw<CanonicalEncodingException>().WithMessage("unknown request flags 128");

        var reply = ClientReply.Create(1, 1, "ok"u8).SignAs(new ReplicaId(0), TestKeys.Replica(0)).Encode();
        var notARequest = () => ClientRequest.Decode(reply);
        notARequest.Should().Throw<CanonicalEncodingException>().WithMessage("not a client request");
    }
}
