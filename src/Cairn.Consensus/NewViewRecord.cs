using Cairn.Consensus.Messages;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// The NEW-VIEW of the view the replica entered last, kept so that after a restart it can still show a peer that
/// missed it why the view is what it is (the peer enters a view only on its NEW-VIEW). Without it, a cluster restarted
/// as a whole after a view change left behind for good a replica that had not seen the NEW-VIEW.
/// </summary>
public sealed record NewViewRecord(NewView NewView) : PersistentRecord
{
    /// <inheritdoc />
    public override string Key => "new-view";

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(6);
        writer.WriteBytes(NewView.Encode());
    }
}
