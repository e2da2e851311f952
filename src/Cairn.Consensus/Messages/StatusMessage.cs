using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A replica's periodic progress summary. Peers answer with what it lacks (a newer stable checkpoint, the current
/// NEW-VIEW, its view change, or the votes of slots it is stuck on): the protocol's retransmission under message loss.
/// </summary>
public sealed record StatusMessage(
    ViewNum View,
    bool ViewActive,
    SeqNum LastStable,
    SeqNum LastExecuted,
    ReplicaId Sender
) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Status;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteBool(ViewActive);
        writer.WriteUInt64(LastStable.Value);
        writer.WriteUInt64(LastExecuted.Value);
    }

    internal static StatusMessage ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(
            new ViewNum(reader.ReadUInt64()),
            reader.ReadBool(),
            new SeqNum(reader.ReadUInt64()),
            new SeqNum(reader.ReadUInt64()),
            sender
        );
}
