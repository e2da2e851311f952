using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>A backup's vote that it accepted the PRE-PREPARE with <paramref name="Digest"/> at (view, seq).</summary>
public sealed record Prepare(ViewNum View, SeqNum Seq, Digest Digest, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Prepare;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(Digest);
    }

    internal static Prepare ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new ViewNum(reader.ReadUInt64()), new SeqNum(reader.ReadUInt64()), reader.ReadDigest(), sender);
}
