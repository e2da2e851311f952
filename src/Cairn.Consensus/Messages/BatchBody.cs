using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// The batch of a proposal at <paramref name="Seq"/> with consensus time <paramref name="TimestampMs"/>, answering a
/// <see cref="FetchBatch"/>. It needs no trust in its sender: the receiver takes it only when timestamp and batch hash
/// to the digest it asked for.
/// </summary>
public sealed record BatchBody(SeqNum Seq, long TimestampMs, Batch Batch, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.BatchBody;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(Seq.Value);
        writer.WriteInt64(TimestampMs);
        writer.WriteBytes(Batch.Encoded);
    }

    internal static BatchBody ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new SeqNum(reader.ReadUInt64()), reader.ReadInt64(), Batch.Decode(reader.ReadBytes()), sender);
}
