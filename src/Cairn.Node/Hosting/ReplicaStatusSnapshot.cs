using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>What the replica looked like after the last input it handled; read by status and health endpoints
/// from other threads, so it is an immutable copy.</summary>
public sealed record ReplicaStatusSnapshot(
    ReplicaId Replica,
    ViewNum View,
    ReplicaId Primary,
    bool ViewActive,
    SeqNum LastExecuted,
    SeqNum LastStable,
    LedgerHead Head,
    bool TransferringState,
    int PendingRequests,
    SeqNum? WedgePoint,
    ulong Epoch
);
