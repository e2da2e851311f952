using Cairn.Backup;
using Cairn.Core;

namespace Cairn.Node.Execution;

/// <summary>The replicated values execution and the DB checkpoints consult at every block, as of block
/// <paramref name="Head"/>: the wedge point, the boundary an on-demand DB checkpoint was ordered for, the last DB
/// checkpoint decision and the epoch (<see cref="ReplicatedKeys"/>).</summary>
internal sealed record Marks(BlockId Head, SeqNum? Wedge, SeqNum? OrderedAt, CheckpointMark Last, ulong Epoch)
{
    /// <summary>Whether <paramref name="batch"/> writes one of the state keys they are kept under: a block that writes
    /// none leaves them as they were.</summary>
    public static bool WrittenBy(BatchWrites batch) =>
        batch.Wrote(ReplicatedKeys.Wedge)
        || batch.Wrote(ReplicatedKeys.CheckpointOrdered)
        || batch.Wrote(ReplicatedKeys.LastCheckpoint)
        || batch.Wrote(ReplicatedKeys.Epoch);
}
