using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// What a replica promised, to be made durable by the host and handed back in <see cref="ReplicaRecovery"/> after a
/// restart. A later record with the same <see cref="Key"/> replaces an earlier one.
/// </summary>
public abstract record PersistentRecord
{
    /// <summary>Records with equal keys replace each other: the view record, one per slot, the stable
    /// certificate.</summary>
    public abstract string Key { get; }

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode()
    {
        var writer = new CanonicalWriter(EncodedLengthHint);
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>The size of <see cref="Encode"/>'s bytes where the record knows it (a proposal: its writer then hands
    /// out its own array, no copy), or a first guess. Only a size: a wrong one costs a copy, never other
    /// bytes.</summary>
    internal virtual int EncodedLengthHint => 256;

    /// <summary>Decodes a record; throws <see cref="CanonicalEncodingException"/> on malformed input.</summary>
    public static PersistentRecord Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        PersistentRecord record = reader.ReadByte() switch
        {
            1 => new ViewRecord(new ViewNum(reader.ReadUInt64()), reader.ReadBool()),
            2 => new SlotRecord(
                new SeqNum(reader.ReadUInt64()),
                reader.ReadBool() ? ConsensusMessage.DecodeNested<PrePrepare>(reader.ReadBytes()) : null,
                reader.ReadBool() ? PreparedProof.ReadFrom(ref reader) : null,
                reader.ReadBool() ? ConsensusMessage.DecodeNested<PrePrepare>(reader.ReadBytes()) : null
            ),
            3 => new StableCheckpointRecord(StableCheckpointCertificate.ReadFrom(ref reader)),
            4 => reader.ReadBool()
                ? new RestoreRecord(new ViewNum(reader.ReadUInt64()), new SeqNum(reader.ReadUInt64()))
                : RestoreRecord.Learning,
            5 => new GenerationRecord(ConsensusGeneration.ReadFrom(ref reader)),
            6 => new NewViewRecord(ConsensusMessage.DecodeNested<NewView>(reader.ReadBytes())),
            7 => ConsensusMessage.DecodeNested<PrePrepare>(reader.ReadBytes()) is { Batch: not null } whole
                ? new ProposalRecord(whole)
                : throw new CanonicalEncodingException("a proposal record without its batch"),
            var t => throw new CanonicalEncodingException($"unknown persistent record type {t}"),
        };
        reader.EnsureEnd();
        return record;
    }

    private protected abstract void WriteTo(CanonicalWriter writer);
}
