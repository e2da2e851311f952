using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>A replica's vote that (view, seq, <paramref name="Digest"/>) is prepared at it.</summary>
public sealed record Commit(ViewNum View, SeqNum Seq, Digest Digest, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Commit;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(Digest);
    }

    internal static Commit ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new ViewNum(reader.ReadUInt64()), new SeqNum(reader.ReadUInt64()), reader.ReadDigest(), sender);
}
