namespace Cairn.Operator;

/// <summary>What replicas' answers agree on: the value at least the needed number of replicas gave (f+1 means at least
/// one correct replica vouches for it), and the replicas whose answer differs from it.</summary>
/// <param name="Value">The agreed value; default when no value reached the quorum.</param>
/// <param name="Count">How many replicas gave the most common value.</param>
/// <param name="Dissenters">Replicas whose answer differs from the most common value.</param>
public sealed record Agreement<T>(bool Reached, T? Value, int Count, IReadOnlyList<int> Dissenters);
