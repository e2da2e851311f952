using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A replica's vote that (view, seq, <paramref name="Digest"/>) is prepared at it. It travels unsigned (no replica
/// passes a COMMIT on or keeps one as proof), so it names the consensus generation it was sent in (<paramref
/// name="GenerationDomain"/>, <see cref="ConsensusGeneration.Domain"/>), which a signature would otherwise bind: a
/// replica of another generation, one that was not restored with the others, does not get its votes counted.
/// </summary>
public sealed record Commit(ViewNum View, SeqNum Seq, Digest Digest, Digest GenerationDomain, ReplicaId Sender)
    : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Commit;

    /// <inheritdoc />
    public override bool TravelsUnsigned => true;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteUInt64(Seq.Value);
        writer.WriteDigest(Digest);
        writer.WriteDigest(GenerationDomain);
    }

    internal static Commit ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(
            new ViewNum(reader.ReadUInt64()),
            new SeqNum(reader.ReadUInt64()),
            reader.ReadDigest(),
            reader.ReadDigest(),
            sender
        );
}
