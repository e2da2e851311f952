using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A signed replica-to-replica message. The signature covers the canonical encoding of the type byte, the sender and
/// the body, after the domain of the consensus generation it is signed in (<see cref="SigningBytes"/>);
/// <see cref="Encode"/> appends the 64-byte signature. The generation is not sent: a receiver checks the signature
/// against its own, so a message of another generation does not verify. A message that no replica ever passes on or
/// keeps as proof (<see cref="TravelsUnsigned"/>) carries no signature: the link it arrives on says who sent it.
/// </summary>
public abstract record ConsensusMessage(ReplicaId Sender)
{
    /// <summary>The sender's Ed25519 signature over <see cref="SigningBytes"/>; empty when the message
    /// <see cref="TravelsUnsigned"/>.</summary>
    public Signature Signature { get; init; }

    /// <summary>
    /// True for a message that only ever goes from its sender straight to each receiver and is never carried inside
    /// another message, kept as proof or retransmitted by anyone but its sender (a COMMIT): it is encoded without a
    /// signature, and a receiver takes it only on the pinned, mutually authenticated link of its
    /// <see cref="Sender"/> (docs/architecture.md, "Each signature is checked once").
    /// </summary>
    public virtual bool TravelsUnsigned => false;

    /// <summary>The type byte this message is encoded with.</summary>
    public abstract MessageType Type { get; }

    /// <summary>Writes the fields after the sender, in canonical order.</summary>
    private protected abstract void WriteBody(CanonicalWriter writer);

    /// <summary>Marks signed bytes that bind a generation's domain; no message type has this value, so they never
    /// equal the bytes of a message signed at genesis.</summary>
    private const byte GenerationDomainTag = 0xC6;

    /// <summary>The bytes the sender signs in <paramref name="generation"/>: at genesis, the message as encoded before
    /// its signature; in a later generation, prefixed with a tag and the generation's domain.</summary>
    public byte[] SigningBytes(ConsensusGeneration generation = default)
    {
        var writer = new CanonicalWriter();
        if (!generation.IsGenesis)
        {
            writer.WriteByte(GenerationDomainTag);
            writer.WriteDigest(generation.Domain);
        }

        WriteSigned(writer);
        return writer.ToArray();
    }

    /// <summary>The message as bytes for the wire: <see cref="SigningBytes"/>, the signature, then what the signature
    /// covers only through a digest (a PRE-PREPARE's batch).</summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter(EncodedLengthHint);
        WriteSigned(writer);
        if (!TravelsUnsigned)
        {
            writer.WriteFixed(Signature.Bytes);
        }

        WriteAfterSignature(writer);
        return writer.ToArray();
    }

    /// <summary>The size of <see cref="Encode"/>'s bytes where the message type knows it without writing them (a
    /// PRE-PREPARE, whose batch can be large: its writer then hands out its own array, no copy), or a first guess. Only
    /// a size: a wrong one costs a copy, never other bytes.</summary>
    internal virtual int EncodedLengthHint => 256;

    /// <summary>Writes the part of the message after the signature; nothing for most messages.</summary>
    private protected virtual void WriteAfterSignature(CanonicalWriter writer) { }

    /// <summary>Reads what <see cref="WriteAfterSignature"/> wrote and returns the whole message.</summary>
    private protected virtual ConsensusMessage ReadAfterSignature(ref CanonicalReader reader) => this;

    /// <summary>Checks the signature against the sender's public key, as signed in <paramref
    /// name="generation"/>.</summary>
    /// <exception cref="InvalidOperationException">When the message <see cref="TravelsUnsigned"/>.</exception>
    public bool VerifySignature(VerificationKey key, ConsensusGeneration generation = default) =>
        key.Verify(SigningBytes(RequireSigned(generation)), Signature);

    /// <summary>Returns a copy of this message signed with <paramref name="key"/> in <paramref
    /// name="generation"/>.</summary>
    /// <exception cref="InvalidOperationException">When the message <see cref="TravelsUnsigned"/>.</exception>
    public ConsensusMessage SignWith(SigningKey key, ConsensusGeneration generation = default) =>
        this with
        {
            Signature = key.Sign(SigningBytes(RequireSigned(generation))),
        };

    private ConsensusGeneration RequireSigned(ConsensusGeneration generation) =>
        TravelsUnsigned
            ? throw new InvalidOperationException($"a {Type} travels unsigned: its sender's link authenticates it")
            : generation;

    /// <summary>Decodes a message; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static ConsensusMessage Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        var message = ReadFrom(ref reader);
        reader.EnsureEnd();
        return message;
    }

    /// <summary>Decodes a message, returning false instead of throwing on malformed input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ConsensusMessage? message)
    {
        try
        {
            message = Decode(bytes);
            return true;
        }
        catch (CanonicalEncodingException)
        {
            message = null;
            return false;
        }
        catch (ArgumentException)
        {
            message = null;
            return false;
        }
    }

    internal static T DecodeNested<T>(ReadOnlySpan<byte> bytes)
        where T : ConsensusMessage =>
        Decode(bytes) as T ?? throw new CanonicalEncodingException($"expected a nested {typeof(T).Name}");

    private void WriteSigned(CanonicalWriter writer)
    {
        writer.WriteByte((byte)Type);
        writer.WriteInt32(Sender.Value);
        WriteBody(writer);
    }

    private static ConsensusMessage ReadFrom(ref CanonicalReader reader)
    {
        var type = (MessageType)reader.ReadByte();
        var sender = new ReplicaId(reader.ReadInt32());
        ConsensusMessage message = type switch
        {
            MessageType.PrePrepare => PrePrepare.ReadBody(ref reader, sender),
            MessageType.Prepare => Prepare.ReadBody(ref reader, sender),
            MessageType.Commit => Commit.ReadBody(ref reader, sender),
            MessageType.Checkpoint => CheckpointMessage.ReadBody(ref reader, sender),
            MessageType.ViewChange => ViewChange.ReadBody(ref reader, sender),
            MessageType.NewView => NewView.ReadBody(ref reader, sender),
            MessageType.Status => StatusMessage.ReadBody(ref reader, sender),
            MessageType.FetchBatch => FetchBatch.ReadBody(ref reader, sender),
            MessageType.BatchBody => BatchBody.ReadBody(ref reader, sender),
            MessageType.ViewComplaint => ViewComplaint.ReadBody(ref reader, sender),
            _ => throw new CanonicalEncodingException($"unknown message type {(byte)type}"),
        };
        if (!message.TravelsUnsigned)
        {
            message = message with { Signature = Signature.FromBytes(reader.ReadFixed(Signature.Size)) };
        }

        return message.ReadAfterSignature(ref reader);
    }
}
