using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A replica's request to move to <paramref name="TargetView"/>: its stable checkpoint certificate (null at the start
/// of its generation: genesis, or the checkpoint a restore of every replica started from) and a prepared proof for
/// every slot above it that prepared at this replica, highest view per slot.
/// </summary>
public sealed record ViewChange(
    ViewNum TargetView,
    StableCheckpointCertificate? Stable,
    IReadOnlyList<PreparedProof> Proofs,
    ReplicaId Sender
) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.ViewChange;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(TargetView.Value);
        writer.WriteBool(Stable is not null);
        Stable?.WriteTo(writer);
        writer.WriteUInt32((uint)Proofs.Count);
        foreach (var proof in Proofs)
        {
            proof.WriteTo(writer);
        }
    }

    internal static ViewChange ReadBody(ref CanonicalReader reader, ReplicaId sender)
    {
        var view = new ViewNum(reader.ReadUInt64());
        var stable = reader.ReadBool() ? StableCheckpointCertificate.ReadFrom(ref reader) : null;
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 8)
        {
            throw new CanonicalEncodingException($"a view change claims {count} proofs");
        }

        var proofs = new List<PreparedProof>((int)count);
        for (var i = 0; i < count; i++)
        {
            proofs.Add(PreparedProof.ReadFrom(ref reader));
        }

        return new ViewChange(view, stable, proofs, sender);
    }
}
