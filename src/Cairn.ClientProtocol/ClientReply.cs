using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.ClientProtocol;

/// <summary>
/// A replica's answer to one client request. The execution layer creates it unsigned
/// (<see cref="Create"/>); the replica signs it before it leaves, so a client can count f+1 matching replies.
/// </summary>
public sealed class ClientReply
{
    private const byte DomainTag = 0x41;
    private readonly byte[] _result;

    private ClientReply(ulong clientId, ulong requestId, byte[] result, ReplicaId replica, Signature signature)
    {
        ClientId = clientId;
        RequestId = requestId;
        _result = result;
        Replica = replica;
        Signature = signature;
    }

    /// <summary>The client the reply is for.</summary>
    public ulong ClientId { get; }

    /// <summary>The request answered.</summary>
    public ulong RequestId { get; }

    /// <summary>The execution result.</summary>
    public ReadOnlyMemory<byte> Result => _result;

    /// <summary>The replica that signed the reply (default until signed).</summary>
    public ReplicaId Replica { get; }

    /// <summary>The replica's signature over client, request, result and replica.</summary>
    public Signature Signature { get; }

    /// <summary>A reply as the execution layer produces it, before a replica signs it.</summary>
    public static ClientReply Create(ulong clientId, ulong requestId, ReadOnlySpan<byte> result) =>
        new(clientId, requestId, result.ToArray(), default, default);

    /// <summary>A copy signed by <paramref name="replica"/>.</summary>
    public ClientReply SignAs(ReplicaId replica, SigningKey key)
    {
        var unsignedCopy = new ClientReply(ClientId, RequestId, _result, replica, default);
        return new ClientReply(ClientId, RequestId, _result, replica, key.Sign(unsignedCopy.SigningBytes()));
    }

    /// <summary>The bytes the replica signs.</summary>
    public byte[] SigningBytes()
    {
        var writer = new CanonicalWriter(_result.Length + 32);
        WriteSigned(writer);
        return writer.ToArray();
    }

    /// <summary>Checks the signature against the replica's key.</summary>
    public bool Verify(VerificationKey key) => key.Verify(SigningBytes(), Signature);

    /// <summary>True when both replies carry the same client, request and result bytes.</summary>
    public bool SameAnswerAs(ClientReply other) =>
        other is not null
        && ClientId == other.ClientId
        && RequestId == other.RequestId
        && _result.AsSpan().SequenceEqual(other._result);

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter(_result.Length + 96);
        WriteSigned(writer);
        writer.WriteFixed(Signature.Bytes);
        return writer.ToArray();
    }

    /// <summary>Decodes a reply; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static ClientReply Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() != DomainTag)
        {
            throw new CanonicalEncodingException("not a client reply");
        }

        var clientId = reader.ReadUInt64();
        var requestId = reader.ReadUInt64();
        var result = reader.ReadBytes().ToArray();
        var replica = new ReplicaId(reader.ReadInt32());
        var signature = Signature.FromBytes(reader.ReadFixed(Signature.Size));
        reader.EnsureEnd();
        return new ClientReply(clientId, requestId, result, replica, signature);
    }

    private void WriteSigned(CanonicalWriter writer)
    {
        writer.WriteByte(DomainTag);
        writer.WriteUInt64(ClientId);
        writer.WriteUInt64(RequestId);
        writer.WriteBytes(_result);
        writer.WriteInt32(Replica.Value);
    }
}
