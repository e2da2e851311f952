using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A request for the batch of the proposal at <paramref name="Seq"/> with <paramref name="Digest"/>: the sender
/// accepted that proposal from a NEW-VIEW, which carries headers only, and does not hold its batch.
/// </summary>
public sealed record FetchBatch(SeqNum Seq, Digest Digest, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.FetchBatch;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(Digest);
    }

    internal static FetchBatch ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new SeqNum(reader.ReadUInt64()), reader.ReadDigest(), sender);
}
