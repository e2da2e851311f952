using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// One slot's promises: the PRE-PREPARE accepted in the current view (a PREPARE was or will be sent for it),
/// the highest-view prepared proof (a COMMIT was sent for it) and the committed PRE-PREPARE, if any.
/// </summary>
public sealed record SlotRecord(SeqNum Seq, PrePrepare? Accepted, PreparedProof? Proof, PrePrepare? Committed)
    : PersistentRecord
{
    /// <inheritdoc />
    public override string Key => $"slot/{Seq.Value}";

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(2);
        writer.WriteUInt64(Seq.Value);
        writer.WriteBool(Accepted is not null);
        if (Accepted is not null)
        {
            writer.WriteBytes(Accepted.Encode());
        }

        writer.WriteBool(Proof is not null);
        Proof?.WriteTo(writer);
        writer.WriteBool(Committed is not null);
        if (Committed is not null)
        {
            writer.WriteBytes(Committed.Encode());
        }
    }
}
