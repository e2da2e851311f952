using Cairn.Consensus.Messages;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>The replica's latest stable checkpoint certificate. Slot records at or below its seq may be
/// discarded.</summary>
public sealed record StableCheckpointRecord(StableCheckpointCertificate Certificate) : PersistentRecord
{
    /// <inheritdoc />
    public override string Key => "stable";

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(3);
        Certificate.WriteTo(writer);
    }
}
