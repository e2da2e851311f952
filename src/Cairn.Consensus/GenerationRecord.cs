using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// The consensus generation a replica runs in, written only by a restore of every replica (<c>cairn cluster
/// restore</c>) together with the database it installs, never by the replica itself. A replica without one runs in
/// <see cref="ConsensusGeneration.Genesis"/>.
/// </summary>
public sealed record GenerationRecord(ConsensusGeneration Generation) : PersistentRecord
{
    /// <summary>The record's key (<c>consensus.generation</c> in the ledger's metadata).</summary>
    public const string RecordKey = "generation";

    /// <inheritdoc />
    public override string Key => RecordKey;

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(5);
        Generation.WriteTo(writer);
    }
}
