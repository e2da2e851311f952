namespace Cairn.Operator;

/// <summary>A replica's answer to <c>checkpoint read</c> (JSON through <see cref="OperatorAnswerJson"/>): the values
/// of the asked keys in its own copy of the checkpoint, in the order asked, null where a key is absent.</summary>
public sealed record CheckpointReadAnswer(int Replica, ulong CheckpointId, ulong SeqNum, IReadOnlyList<byte[]?> Values);
