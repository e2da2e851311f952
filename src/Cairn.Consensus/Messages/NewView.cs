using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// The new primary's announcement of <paramref name="View"/>: 2f+1 VIEW-CHANGEs for it and the PRE-PREPAREs they
/// imply (re-proposals of prepared batches, no-ops for gaps), as headers: a replica that lacks a batch fetches it by
/// digest. Backups recompute the PRE-PREPAREs from the VIEW-CHANGEs and reject the message if they differ.
/// <paramref name="TimestampMs"/> is the consensus time of gap no-ops.
/// </summary>
public sealed record NewView(
    ViewNum View,
    long TimestampMs,
    IReadOnlyList<ViewChange> ViewChanges,
    IReadOnlyList<PrePrepare> PrePrepares,
    ReplicaId Sender
) : ConsensusMessage(Sender)
{
    /// <summary>The re-proposals, as headers (without batches).</summary>
    public IReadOnlyList<PrePrepare> PrePrepares { get; } = PrePrepares?.Select(p => p?.WithoutBatch()!).ToList()!;

    /// <inheritdoc />
    public override MessageType Type => MessageType.NewView;

    private protected override void WriteBody(CanonicalWriter writer)
    {
        writer.WriteUInt64(View.Value);
        writer.WriteInt64(TimestampMs);
        writer.WriteUInt32((uint)ViewChanges.Count);
        foreach (var viewChange in ViewChanges)
        {
            writer.WriteBytes(viewChange.Encode());
        }

        writer.WriteUInt32((uint)PrePrepares.Count);
        foreach (var prePrepare in PrePrepares)
        {
            writer.WriteBytes(prePrepare.Encode());
        }
    }

    internal static NewView ReadBody(ref CanonicalReader reader, ReplicaId sender)
    {
        var view = new ViewNum(reader.ReadUInt64());
        var timestamp = reader.ReadInt64();
        var viewChanges = ReadList<ViewChange>(ref reader);
        var prePrepares = ReadList<PrePrepare>(ref reader);
        return new NewView(view, timestamp, viewChanges, prePrepares, sender);
    }

    private static List<T> ReadList<T>(ref CanonicalReader reader)
        where T : ConsensusMessage
    {
        var count = reader.ReadUInt32();
        if (count > (uint)reader.Remaining / 4)
        {
            throw new CanonicalEncodingException($"a new view claims {count} nested messages");
        }

        var list = new List<T>((int)count);
        for (var i = 0; i < count; i++)
        {
            list.Add(ConsensusMessage.DecodeNested<T>(reader.ReadBytes()));
        }

        return list;
    }
}
