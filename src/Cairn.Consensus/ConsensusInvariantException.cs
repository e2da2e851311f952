namespace Cairn.Consensus;

/// <summary>
/// A safety invariant of the protocol was about to be broken (for example, committing two digests at one sequence
/// number). Thrown rather than asserted: continuing would let a replica diverge silently.
/// </summary>
public sealed class ConsensusInvariantException(string message) : Exception(message);
