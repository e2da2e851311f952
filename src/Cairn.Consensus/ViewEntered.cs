using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>The replica entered <paramref name="View"/> led by <paramref name="Primary"/> (for logs, metrics and
/// clients).</summary>
public sealed record ViewEntered(ViewNum View, ReplicaId Primary) : ConsensusOutput;
