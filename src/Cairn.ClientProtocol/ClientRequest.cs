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

    // Where the operation's bytes start in the encoding: tag, client id, request id, flags, operation length.
    private const int OperationOffset = 1 + 8 + 8 + 1 + 4;

    // The whole encoding, the only copy of the operation: a request decoded from a batch shares the batch's array.
    private readonly ReadOnlyMemory<byte> _encoded;

    private ClientRequest(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        Signature signature,
        ReadOnlyMemory<byte> encoded
    )
    {
        ClientId = clientId;
        RequestId = requestId;
        Flags = flags;
        Signature = signature;
        _encoded = encoded;
        Digest = Digest.Compute(encoded.Span);
    }

    /// <summary>The client that signed the request.</summary>
    public ulong ClientId { get; }

    /// <summary>Per-client increasing request id.</summary>
    public ulong RequestId { get; }

    /// <summary>Read-only / operator flags.</summary>
    public RequestFlags Flags { get; }

    /// <summary>The opaque operation the execution layer interprets.</summary>
    public ReadOnlyMemory<byte> Operation => _encoded[OperationOffset..^Signature.Size];

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
        var writer = Signed(clientId, requestId, flags, operation);
        return Sealed(clientId, requestId, flags, key.Sign(writer.WrittenSpan), writer);
    }

    /// <summary>Builds a request with a given signature (decoding, or tests forging one).</summary>
    public static ClientRequest WithSignature(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        ReadOnlySpan<byte> operation,
        Signature signature
    ) => Sealed(clientId, requestId, flags, signature, Signed(clientId, requestId, flags, operation));

    /// <summary>Checks the signature against the client's key.</summary>
    public bool Verify(VerificationKey key) => key.Verify(_encoded.Span[..^Signature.Size], Signature);

    /// <summary>The canonical encoding: signed fields followed by the signature.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded.Span;

    /// <summary>The canonical encoding, as memory that outlives the call (to queue it without a copy).</summary>
    public ReadOnlyMemory<byte> EncodedMemory => _encoded;

    /// <summary>The canonical encoding as a new array.</summary>
    public byte[] Encode() => _encoded.ToArray();

    /// <summary>Decodes a request from a copy of <paramref name="bytes"/>; throws
    /// <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static ClientRequest Decode(ReadOnlySpan<byte> bytes) => Decode(new ReadOnlyMemory<byte>(bytes.ToArray()));

    /// <summary>Decodes a request that keeps <paramref name="encoded"/> as its encoding, without copying it: the caller
    /// never changes those bytes afterwards (a batch decoding its own copy). Throws
    /// <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static ClientRequest Decode(ReadOnlyMemory<byte> encoded)
    {
        var reader = new CanonicalReader(encoded.Span);
        if (reader.ReadByte() is var tag && tag != DomainTag)
        {
            throw new CanonicalEncodingException(
                $"starts with 0x{tag:x2}, not the client-request tag 0x{DomainTag:x2}"
            );
        }

        var clientId = reader.ReadUInt64();
        var requestId = reader.ReadUInt64();
        var flags = (RequestFlags)reader.ReadByte();
        if ((flags & ~(RequestFlags.ReadOnly | RequestFlags.Operator)) != 0)
        {
            throw new CanonicalEncodingException($"unknown request flags {(byte)flags}");
        }

        reader.ReadBytes();
        var signature = Signature.FromBytes(reader.ReadFixed(Signature.Size));
        reader.EnsureEnd();
        return new ClientRequest(clientId, requestId, flags, signature, encoded);
    }

    private static CanonicalWriter Signed(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        ReadOnlySpan<byte> operation
    )
    {
        var writer = new CanonicalWriter(OperationOffset + operation.Length + Signature.Size);
        writer.WriteByte(DomainTag);
        writer.WriteUInt64(clientId);
        writer.WriteUInt64(requestId);
        writer.WriteByte((byte)flags);
        writer.WriteBytes(operation);
        return writer;
    }

    private static ClientRequest Sealed(
        ulong clientId,
        ulong requestId,
        RequestFlags flags,
        Signature signature,
        CanonicalWriter signed
    )
    {
        signed.WriteFixed(signature.Bytes);
        return new ClientRequest(clientId, requestId, flags, signature, signed.ToArray());
    }
}
