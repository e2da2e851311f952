using Cairn.Core;

namespace Cairn.Operator;

/// <summary>Where commands that wait for a checkpoint take effect, as Concord computes it.</summary>
public static class WedgePoint
{
    /// <summary>The first checkpoint boundary after <paramref name="orderedAt"/>: where <c>dbCheckpoint create</c>
    /// ordered at
    /// that sequence number takes its checkpoint.</summary>
    public static SeqNum NextBoundary(SeqNum orderedAt, int checkpointWindow) =>
        new(((orderedAt.Value / (ulong)checkpointWindow) + 1) * (ulong)checkpointWindow);

    /// <summary><c>wedge stop</c> ordered at <paramref name="orderedAt"/> stops at (s + 2 × window) rounded down to a
    /// boundary: far enough that every replica hears of it before ordering reaches it.</summary>
    public static SeqNum Of(SeqNum orderedAt, int checkpointWindow) =>
        new((orderedAt.Value + (2 * (ulong)checkpointWindow)) / (ulong)checkpointWindow * (ulong)checkpointWindow);
}
