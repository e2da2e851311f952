namespace Cairn.Client;

/// <summary>One replica's answer to <c>checkpoint read</c>: the values of the keys in order (null for an absent key),
/// or why there are none (a refusal such as "no such checkpoint", no answer).</summary>
public sealed record ReplicaValues(int Replica, ulong? SeqNum, IReadOnlyList<byte[]?>? Values, string? Problem);
