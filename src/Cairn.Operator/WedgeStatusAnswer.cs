namespace Cairn.Operator;

/// <summary>A replica's answer to <c>wedge status</c> (JSON through <see cref="OperatorAnswerJson"/>).</summary>
/// <param name="Wedged">It executed up to its wedge point and orders nothing more.</param>
/// <param name="WedgePoint">Where a committed <c>wedge stop</c> stops it; null when none is pending.</param>
/// <param name="Epoch">The epoch it executes in (each unwedge starts the next).</param>
public sealed record WedgeStatusAnswer(int Replica, bool Wedged, ulong? WedgePoint, ulong LastExecutedSeq, ulong Epoch);
