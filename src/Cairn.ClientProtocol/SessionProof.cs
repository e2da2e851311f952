using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.ClientProtocol;

/// <summary>
/// A client key's proof, on one session connection, that the other end of that connection holds the key: its
/// signature over the replica's challenge for the connection (random bytes the replica sent first) and the replica's
/// id. Once a replica checked it, every request of that key's client ids on that connection is the key holder's
/// without checking the request's own signature (docs/architecture.md, "Each signature is checked once"). The
/// challenge is new for every connection, so a proof is good for that connection only; the replica id keeps a
/// replica that received one from using it anywhere else.
/// </summary>
public sealed class SessionProof
{
    /// <summary>The first byte of an encoded proof: no client request (0x40) starts with it, so one frame stream can
    /// carry both.</summary>
    public const byte DomainTag = 0x43;

    /// <summary>The length of the replica's challenge.</summary>
    public const int ChallengeSize = 32;

    private SessionProof(int keyIndex, int replicaId, byte[] challenge, Signature signature)
    {
        KeyIndex = keyIndex;
        ReplicaId = replicaId;
        Challenge = challenge;
        Signature = signature;
    }

    /// <summary>The client key the proof is for (the key of client ids <c>KeyIndex * SessionsPerKey</c>
    /// onwards).</summary>
    public int KeyIndex { get; }

    /// <summary>The replica the proof is for.</summary>
    public int ReplicaId { get; }

    /// <summary>The replica's challenge for the connection.</summary>
    public ReadOnlyMemory<byte> Challenge { get; }

    /// <summary>The key's Ed25519 signature over the tag, key index, replica id and challenge.</summary>
    public Signature Signature { get; }

    /// <summary>Signs a proof for <paramref name="challenge"/> of <paramref name="replicaId"/> with
    /// <paramref name="key"/>, the key of <paramref name="keyIndex"/>.</summary>
    public static SessionProof Create(int keyIndex, int replicaId, ReadOnlySpan<byte> challenge, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckChallenge(challenge);
        return new SessionProof(
            keyIndex,
            replicaId,
            challenge.ToArray(),
            key.Sign(Signed(keyIndex, replicaId, challenge).WrittenSpan)
        );
    }

    /// <summary>Whether the proof answers <paramref name="challenge"/> of <paramref name="replicaId"/> and is signed by
    /// <paramref name="key"/>.</summary>
    public bool Verify(int replicaId, ReadOnlySpan<byte> challenge, VerificationKey key) =>
        replicaId == ReplicaId
        && challenge.SequenceEqual(Challenge.Span)
        && key.Verify(Signed(KeyIndex, ReplicaId, Challenge.Span).WrittenSpan, Signature);

    /// <summary>The canonical encoding: the signed fields, then the signature.</summary>
    public byte[] Encode()
    {
        var writer = Signed(KeyIndex, ReplicaId, Challenge.Span);
        writer.WriteFixed(Signature.Bytes);
        return writer.ToArray();
    }

    /// <summary>Whether <paramref name="frame"/> holds a proof rather than a client request (its first
    /// byte).</summary>
    public static bool IsProof(ReadOnlySpan<byte> frame) => frame.Length > 0 && frame[0] == DomainTag;

    /// <summary>Decodes a proof; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static SessionProof Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.ReadByte() is var tag && tag != DomainTag)
        {
            throw new CanonicalEncodingException($"starts with 0x{tag:x2}, not the session-proof tag 0x{DomainTag:x2}");
        }

        var keyIndex = reader.ReadInt32();
        var replicaId = reader.ReadInt32();
        var challenge = reader.ReadFixed(ChallengeSize).ToArray();
        var signature = Signature.FromBytes(reader.ReadFixed(Signature.Size));
        reader.EnsureEnd();
        return new SessionProof(keyIndex, replicaId, challenge, signature);
    }

    private static CanonicalWriter Signed(int keyIndex, int replicaId, ReadOnlySpan<byte> challenge)
    {
        var writer = new CanonicalWriter(1 + 4 + 4 + ChallengeSize + Signature.Size);
        writer.WriteByte(DomainTag);
        writer.WriteInt32(keyIndex);
        writer.WriteInt32(replicaId);
        writer.WriteFixed(challenge);
        return writer;
    }

    private static void CheckChallenge(ReadOnlySpan<byte> challenge)
    {
        if (challenge.Length != ChallengeSize)
        {
            throw new ArgumentException($"a challenge is {ChallengeSize} bytes, not {challenge.Length}");
        }
    }
}
