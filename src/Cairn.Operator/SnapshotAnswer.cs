namespace Cairn.Operator;

/// <summary>A replica's answer to <c>snapshot</c> (JSON through <see cref="OperatorAnswerJson"/>).</summary>
/// <param name="Newest">Its newest complete checkpoint; null when it has none.</param>
public sealed record SnapshotAnswer(int Replica, SnapshotCheckpoint? Newest);
