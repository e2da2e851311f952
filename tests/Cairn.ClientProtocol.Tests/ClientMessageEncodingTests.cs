using AwesomeAssertions;
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
        (client, id, result) => ClientReply.Create(client, id, result)
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
    public void Replies_round_trip_byte_for_byte()
    {
        GenReply.Sample(reply =>
        {
            var decoded = ClientReply.Decode(reply.Encode());
            decoded.Encode().Should().Equal(reply.Encode());
            decoded.SameAnswerAs(reply).Should().BeTrue();
        });
    }

    [Fact]
    public void A_signed_reply_an_earlier_version_stored_in_the_state_still_decodes_to_its_answer()
    {
        // Tag 0x41, client, request, result, then the replica id and its signature (docs/architecture.md,
        // "Client replies"): what a checkpoint taken by an earlier version holds as a client's last reply.
        var writer = new CanonicalWriter(128);
        writer.WriteByte(0x41);
        writer.WriteUInt64(7);
        writer.WriteUInt64(9);
        writer.WriteBytes("ok"u8);
        writer.WriteInt32(2);
        writer.WriteFixed(new byte[64]);

        var stored = writer.ToArray();

        ClientReply.Decode(stored).SameAnswerAs(ClientReply.Create(7, 9, "ok"u8)).Should().BeTrue();
        var truncated = () => ClientReply.Decode(stored.AsSpan(0, stored.Length - 1));
        truncated.Should().Throw<CanonicalEncodingException>();
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

        var reply = ClientReply.Create(1, 1, "ok"u8).Encode();
        var notARequest = () => ClientRequest.Decode(reply);
        notARequest
            .Should()
            .Throw<CanonicalEncodingException>()
            .WithMessage("starts with 0x42, not the client-request tag 0x40");
    }
}
