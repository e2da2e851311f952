using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.ClientProtocol;

/// <summary>
/// A replica's answer to one client request: the result the execution layer produced for it. A reply carries no
/// signature: the client counts it for the replica whose pinned TLS connection it arrived on (docs/architecture.md,
/// "Client replies").
/// </summary>
public sealed class ClientReply
{
    private const byte DomainTag = 0x42;

    /// <summary>The tag of the signed replies earlier versions stored in the replicated state (see
    /// <see cref="Decode"/>).</summary>
    private const byte SignedDomainTag = 0x41;

    private readonly byte[] _result;

    private ClientReply(ulong clientId, ulong requestId, byte[] result)
    {
        ClientId = clientId;
        RequestId = requestId;
        _result = result;
    }

    /// <summary>The client the reply is for.</summary>
    public ulong ClientId { get; }

    /// <summary>The request answered.</summary>
    public ulong RequestId { get; }

    /// <summary>The execution result.</summary>
    public ReadOnlyMemory<byte> Result => _result;

    /// <summary>The reply to (<paramref name="clientId"/>, <paramref name="requestId"/>) with
    /// <paramref name="result"/>.</summary>
    public static ClientReply Create(ulong clientId, ulong requestId, ReadOnlySpan<byte> result) =>
        new(clientId, requestId, result.ToArray());

    /// <summary>True when both replies carry the same client, request and result bytes.</summary>
    public bool SameAnswerAs(ClientReply other) =>
        other is not null
        && ClientId == other.ClientId
        && RequestId == other.RequestId
        && _result.AsSpan().SequenceEqual(other._result);

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode()
    {
        // Exactly the reply's size (tag, client, request, length-prefixed result): the writer's array is the encoding.
        var writer = new CanonicalWriter(1 + 8 + 8 + 4 + _result.Length);
        writer.WriteByte(DomainTag);
        writer.WriteUInt64(ClientId);
        writer.WriteUInt64(RequestId);
        writer.WriteBytes(_result);
        return writer.ToArray();
    }

    /// <summary>Decodes a reply; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    /// <remarks>Also reads the signed form earlier versions kept in the replicated state as each client's last reply
    /// (a checkpoint taken by one of them may be restored): its replica id and signature are skipped, as nothing
    /// checks them any more.</remarks>
    public static ClientReply Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var tag = reader.ReadByte();
        if (tag is not (DomainTag or SignedDomainTag))
        {
            throw new CanonicalEncodingException("not a client reply");
        }

        var clientId = reader.ReadUInt64();
        var requestId = reader.ReadUInt64();
        var result = reader.ReadBytes().ToArray();
        if (tag == SignedDomainTag)
        {
            reader.ReadInt32();
            reader.ReadFixed(Signature.Size);
        }

        reader.EnsureEnd();
        return new ClientReply(clientId, requestId, result);
    }
}
