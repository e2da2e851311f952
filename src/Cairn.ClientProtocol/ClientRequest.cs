using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.ClientProtocol;

/// <summary>
/// A client's signed request. <see cref="RequestId"/> grows per client (a timestamp or counter); a replica executes
/// each (client, request id) at most once and answers repeats from its reply cache.
/// </summary>
public sealed class ClientRequest
{
    private const byte DomainTag = 0x40;
    private readonly byte[] _operation;
    private readonly byte[] _encoded;

    private ClientRequest(ulong clientId, ulong requestId, RequestFlags flags, byte[] operation, Signature signature)
    {
        ClientId = clientId;
        RequestId = requestId;
        Flags = flags;
        _operation = operation;
        Signature = signature;
        var writer = new CanonicalWriter(operation.Length + 96);
        WriteSigned(writer);
        writer.WriteFixed(signature.Bytes);
        _encoded = writer.ToArray();
        Digest = Digest.Compute(_encoded);
    }

    /// <summary>The client that signed the request.</summary>
    public ulong ClientId { get; }

    /// <summary>Per-client increasing request id.</summary>
    public ulong RequestId { get; }

    /// <summary>Read-only / operator flags.</summary>
    public RequestFlags Flags { get; }

    /// <summary>The opaque operation the execution layer interprets.</summary>
    public ReadOnlyMemory<byte> Operation => _operation;

    /// <summary>The client's Ed25519 signature.</summary>
    public Signature Signature { get; }

    /// <summary>SHA-256 of the whole encoded request, signature included.</summary>
    public Digest Digest { get; }

    /// <summary>Creates and signs a request.</summary>
    public static ClientRequest Create(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        ReadOnlySpan<byte> operation,
        SigningKey key
    )
    {
        var writer = new CanonicalWriter(operation.Length + 32);
        WriteSigned(writer, clientId, requestId, flags, operation);
        return new ClientRequest(clientId, requestId, flags, operation.ToArray(), key.Sign(writer.WrittenSpan));
    }

    /// <summary>Builds a request with a given signature (decoding, or tests forging one).</summary>
    public static ClientRequest WithSignature(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        ReadOnlySpan<byte> operation,
        Signature signature
    ) => new(clientId, requestId, flags, operation.ToArray(), signature);

    /// <summary>The bytes the client signs.</summary>
    public byte[] SigningBytes()
    {
        var writer = new CanonicalWriter(_operation.Length + 32);
        WriteSigned(writer);
        return writer.ToArray();
    }

    /// <summary>Checks the signature against the client's key.</summary>
    public bool Verify(VerificationKey key) => key.Verify(SigningBytes(), Signature);

    /// <summary>The canonical encoding: signed fields followed by the signature.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>The canonical encoding as a new array.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Decodes a request; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static ClientRequest Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() != DomainTag)
        {
            throw new CanonicalEncodingException("not a client request");
        }

        var clientId = reader.ReadUInt64();
        var requestId = reader.ReadUInt64();
        var flags = (RequestFlags)reader.ReadByte();
        if ((flags & ~(RequestFlags.ReadOnly | RequestFlags.Operator)) != 0)
        {
            throw new CanonicalEncodingException($"unknown request flags {(byte)flags}");
        }

        var operation = reader.ReadBytes().ToArray();
        var signature = Signature.FromBytes(reader.ReadFixed(Signature.Size));
        reader.EnsureEnd();
        return new ClientRequest(clientId, requestId, flags, operation, signature);
    }

    private void WriteSigned(CanonicalWriter writer) => WriteSigned(writer, ClientId, RequestId, Flags, _operation);

    private static void WriteSigned(
        CanonicalWriter writer,
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        ReadOnlySpan<byte> operation
    )
    {
        writer.WriteByte(DomainTag);
        writer.WriteUInt64(clientId);
        writer.WriteUInt64(requestId);
        writer.WriteByte((byte)flags);
        writer.WriteBytes(operation);
    }
}
