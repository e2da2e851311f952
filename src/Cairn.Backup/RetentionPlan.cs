using Cairn.Core;

namespace Cairn.Backup;

/// <summary>What retention does now: checkpoints to delete (in this order) and checkpoints to unlist and delete once
/// their reader lets go.</summary>
public sealed record RetentionPlan(IReadOnlyList<BlockId> Delete, IReadOnlyList<BlockId> Retire)
{
    /// <summary>Nothing to do.</summary>
    public static readonly RetentionPlan None = new([], []);
}
