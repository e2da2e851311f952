using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus.Messages;

/// <summary>
/// A replica's signed wish to leave <paramref name="View"/>: its timer expired there. Unlike a VIEW-CHANGE it promises
/// nothing: the sender stays in the view, votes and catches up, and every replica starts the view change only once
/// f+1 replicas complained about the view, so a replica that timed out only because it lagged (a restart, a restore)
/// does not leave the others' view alone (docs/consensus.md, "View-change complaints").
/// </summary>
public sealed record ViewComplaint(ViewNum View, ReplicaId Sender) : ConsensusMessage(Sender)
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.ViewComplaint;

    private protected override void WriteBody(CanonicalWriter writer) => writer.WriteUInt64(View.Value);

    internal static ViewComplaint ReadBody(ref CanonicalReader reader, ReplicaId sender) =>
        new(new ViewNum(reader.ReadUInt64()), sender);
}
