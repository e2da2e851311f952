using Cairn.Operator;

namespace Cairn.Client;

/// <summary>One replica's line in <c>op snapshot</c>: its newest checkpoint, "none", or why there is no
/// answer.</summary>
/// <param name="Differs">It reports the agreed checkpoint id with another state digest.</param>
public sealed record SnapshotRow(int Replica, SnapshotCheckpoint? Newest, string? Problem, bool Differs)
{
    /// <summary>Answered, and has no checkpoint.</summary>
    public bool HasNone => Newest is null && Problem is null;
}
