using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>A replica's signed claim that its state after executing <paramref name="Seq"/> has <paramref
/// name="StateDigest"/>.</summary>
public sealed record CheckpointMessage(SeqNum Seq, Digest StateDigest, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Checkpoint;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(StateDigest);
    }

    internal static CheckpointMessage ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new SeqNum(reader.ReadUInt64()), reader.ReadDigest(), sender);
}
