using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// The primary's proposal of <paramref name="Batch"/> at (<paramref name="View"/>, <paramref name="Seq"/>).
/// <paramref name="TimestampMs"/> is the consensus time of the batch (Unix milliseconds, the primary's clock,
/// checked by backups within a bound).
/// </summary>
public sealed record PrePrepare(ViewNum View, SeqNum Seq, long TimestampMs, Batch Batch, ReplicaId Sender)
    : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.PrePrepare;

    /// <summary>The digest PREPARE and COMMIT votes name: timestamp and batch.</summary>
    public Digest Digest => Batch.ProposalDigest(TimestampMs);

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteUInt64(Seq.Value);
        writer.WriteInt64(TimestampMs);
        writer.WriteBytes(Batch.Encoded);
    }

    internal static PrePrepare ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(
            new ViewNum(reader.ReadUInt64()),
            new SeqNum(reader.ReadUInt64()),
            reader.ReadInt64(),
            Batch.Decode(reader.ReadBytes()),
            sender
        );
}
