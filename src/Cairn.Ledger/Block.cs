using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Ledger;

/// <summary>
/// A ledger block: the state writes of one executed batch, chained to its predecessor, and the digest of the whole
/// state after them. Its digest is <c>SHA-256(previous digest ‖ header ‖ state digest ‖ writes)</c>, computed over the
/// block's canonical encoding, so changing any byte of any block changes every later digest, and a certificate over
/// a block digest also covers the state it leads to (docs/architecture.md, "What the checkpoint certificate
/// covers").
/// </summary>
public sealed record Block
{
    /// <summary>Version 2 added <see cref="StateDigest"/>.</summary>
    private const byte FormatVersion = 2;

    private Block(
        BlockId id,
        Digest previousDigest,
        SeqNum seqNum,
        DateTimeOffset timestamp,
        Digest stateDigest,
        IReadOnlyList<StateWrite> writes,
        byte[] encoded
    )
    {
        Id = id;
        PreviousDigest = previousDigest;
        SeqNum = seqNum;
        Timestamp = timestamp;
        StateDigest = stateDigest;
        Writes = writes;
        EncodedBytes = encoded;
        Digest = Digest.Compute(encoded);
    }

    public BlockId Id { get; }

    /// <summary>The digest of block <c>Id - 1</c> (the genesis digest for block 1).</summary>
    public Digest PreviousDigest { get; }

    public SeqNum SeqNum { get; }

    /// <summary>Consensus time of the batch, to the millisecond.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The <see cref="StateHash.Digest"/> of the whole state once this block's writes are applied.</summary>
    public Digest StateDigest { get; }

    public IReadOnlyList<StateWrite> Writes { get; }

    /// <summary>This block's chain digest.</summary>
    public Digest Digest { get; }

    /// <summary>The canonical bytes the digest is computed over: what the store keeps and state transfer
    /// sends.</summary>
    public ReadOnlyMemory<byte> Encoded => EncodedBytes;

    internal byte[] EncodedBytes { get; }

    /// <summary>Builds block <paramref name="id"/> on top of a block whose digest is <paramref
    /// name="previousDigest"/>; <paramref name="stateDigest"/> is the state's digest after its writes.</summary>
    /// <exception cref="ArgumentException">When a key is empty or longer than <see
    /// cref="StateWrite.MaxKeySize"/>.</exception>
    public static Block Create(BlockId id, Digest previousDigest, BlockProposal proposal, Digest stateDigest)
    {
        // Sized to the block, so the writer's array becomes the block's bytes with no copy.
        var writer = new CanonicalWriter(EncodedLength(proposal.Writes));
        writer
            .WriteDigest(previousDigest)
            .WriteByte(FormatVersion)
            .WriteUInt64(id.Value)
            .WriteUInt64(proposal.SeqNum.Value)
            .WriteInt64(proposal.Timestamp.ToUnixTimeMilliseconds())
            .WriteDigest(stateDigest)
            .WriteUInt32((uint)proposal.Writes.Count);
        foreach (var write in proposal.Writes)
        {
            if (write.Key.Length is 0 or > StateWrite.MaxKeySize)
            {
                throw new ArgumentException(
                    $"a key is 1 to {StateWrite.MaxKeySize} bytes, got {write.Key.Length}",
                    nameof(proposal)
                );
            }

            writer.WriteBytes(write.Key).WriteBool(!write.IsDelete);
            if (write.Value is { } value)
            {
                writer.WriteBytes(value);
            }
        }

        return new Block(
            id,
            previousDigest,
            proposal.SeqNum,
            DateTimeOffset.FromUnixTimeMilliseconds(proposal.Timestamp.ToUnixTimeMilliseconds()),
            stateDigest,
            proposal.Writes,
            writer.ToArray()
        );
    }

    /// <summary>The encoded size of a block with <paramref name="writes"/>: the header (previous digest, version, id,
    /// seq, timestamp, state digest, write count), then per write its length-prefixed key, a flag and its
    /// length-prefixed value.</summary>
    private static int EncodedLength(IReadOnlyList<StateWrite> writes)
    {
        var length = Digest.Size + 1 + 8 + 8 + 8 + Digest.Size + 4;
        foreach (var write in writes)
        {
            length += 4 + write.Key.Length + 1 + (write.Value is { } value ? 4 + value.Length : 0);
        }

        return length;
    }

    /// <summary>Decodes a block from its canonical bytes.</summary>
    /// <exception cref="CanonicalEncodingException">When the bytes are truncated, have trailing data or an unknown
    /// version.</exception>
    public static Block Decode(byte[] encoded)
    {
        var (id, previous, seq, timestamp, stateDigest, writes) = Parse(encoded, keepWrites: true);
        return new Block(id, previous, seq, timestamp, stateDigest, writes, encoded);
    }

    /// <summary>The <see cref="BlockLink"/> of the block <paramref name="encoded"/> holds, checked as <see
    /// cref="Decode"/> checks the whole block, but without copying out its writes.</summary>
    /// <exception cref="CanonicalEncodingException">As <see cref="Decode"/>.</exception>
    public static BlockLink DecodeLink(ReadOnlySpan<byte> encoded)
    {
        var (id, previous, seq, _, _, _) = Parse(encoded, keepWrites: false);
        return new BlockLink(id, seq, previous, Digest.Compute(encoded));
    }

    private static (
        BlockId Id,
        Digest Previous,
        SeqNum Seq,
        DateTimeOffset Timestamp,
        Digest StateDigest,
        StateWrite[] Writes
    ) Parse(ReadOnlySpan<byte> encoded, bool keepWrites)
    {
        var reader = new CanonicalReader(encoded);
        var previous = reader.ReadDigest();
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new CanonicalEncodingException(
                $"unknown block format version {version} (this build reads {FormatVersion})"
            );
        }

        var id = new BlockId(reader.ReadUInt64());
        var seq = new SeqNum(reader.ReadUInt64());
        var timestamp = reader.ReadInt64();
        var stateDigest = reader.ReadDigest();
        var count = reader.ReadUInt32();
        // Each write takes at least 5 bytes; a count beyond that is corruption, not a reason to allocate gigabytes.
        if (count > (uint)reader.Remaining / 5)
        {
            throw new CanonicalEncodingException($"a block claims {count} writes in {reader.Remaining} bytes");
        }

        var writes = keepWrites ? new StateWrite[count] : [];
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadBytes();
            var isPut = reader.ReadBool();
            var value = isPut ? reader.ReadBytes() : default;
            if (keepWrites)
            {
                writes[i] = new StateWrite(key.ToArray(), isPut ? value.ToArray() : null);
            }
        }

        reader.EnsureEnd();
        if (
            timestamp < DateTimeOffset.MinValue.ToUnixTimeMilliseconds()
            || timestamp > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
        )
        {
            throw new CanonicalEncodingException($"block timestamp {timestamp} is out of range");
        }

        return (id, previous, seq, DateTimeOffset.FromUnixTimeMilliseconds(timestamp), stateDigest, writes);
    }
}
