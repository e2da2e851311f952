using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>The replica's view, and whether it is active there (false while changing views).</summary>
public sealed record ViewRecord(ViewNum View, bool Active) : PersistentRecord
{
    /// <inheritdoc />
    public override string Key => "view";

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(1);
        writer.WriteUInt64(View.Value);
        writer.WriteBool(Active);
    }
}
