using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// Written by a restore that could not keep the consensus records of the database it replaced: the replica may have
/// signed, before the restore, votes it no longer remembers. Without a horizon it is still learning the current view
/// and stable checkpoint from its peers; with one, it signs nothing in views up to <see cref="HorizonView"/> at
/// sequence
/// numbers up to <see cref="HorizonSeq"/> (see <c>Replica.Restore.cs</c>).
/// </summary>
public sealed record RestoreRecord(ViewNum? HorizonView, SeqNum? HorizonSeq) : PersistentRecord
{
    /// <summary>What a restore writes: no horizon yet.</summary>
    public static RestoreRecord Learning { get; } = new(null, null);

    /// <inheritdoc />
    public override string Key => "restore";

    private protected override void WriteTo(CanonicalWriter writer)
    {
        writer.WriteByte(4);
        writer.WriteBool(HorizonView is not null);
        if (HorizonView is { } view)
        {
            writer.WriteUInt64(view.Value);
            writer.WriteUInt64((HorizonSeq ?? SeqNum.Zero).Value);
        }
    }
}
