using Cairn.Consensus;
using Cairn.Core.Encoding;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// The consensus generation a database (live or a checkpoint) was written in, kept in its metadata as the replica's
/// <see cref="GenerationRecord"/>: the certificate of a checkpoint taken in a generation is signed in it, so checking
/// that certificate needs it (docs/consensus.md, "Restoring every replica").
/// </summary>
public static class GenerationMetadata
{
    /// <summary>The metadata key of the record.</summary>
    public const string Key = ReplicaRestore.ConsensusMetadataPrefix + GenerationRecord.RecordKey;

    /// <summary>The generation recorded in <paramref name="reader"/>, or genesis when there is none.</summary>
    /// <exception cref="LedgerCorruptException">When the record does not decode.</exception>
    public static ConsensusGeneration Read(ILedgerReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        foreach (var (key, value) in reader.ReadMetadata(Key))
        {
            if (key != Key)
            {
                continue;
            }

            try
            {
                return PersistentRecord.Decode(value) is GenerationRecord record
                    ? record.Generation
                    : throw new CanonicalEncodingException("not a generation record");
            }
            catch (CanonicalEncodingException e)
            {
                throw new LedgerCorruptException(reader.Location, $"metadata '{Key}' does not decode ({e.Message})");
            }
        }

        return ConsensusGeneration.Genesis;
    }

    /// <summary>The write that records <paramref name="generation"/>.</summary>
    public static MetadataWrite Write(ConsensusGeneration generation) =>
        new(Key, new GenerationRecord(generation).Encode());
}
