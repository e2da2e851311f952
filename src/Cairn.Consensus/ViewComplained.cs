using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>This replica complained about <paramref name="View"/> led by <paramref name="Primary"/>, for
/// <paramref name="Reason"/> after <paramref name="Timeout"/> (for logs: a view change follows only once f + 1
/// replicas complained).</summary>
public sealed record ViewComplained(ViewNum View, ReplicaId Primary, ComplaintReason Reason, TimeSpan Timeout)
    : ConsensusOutput;
