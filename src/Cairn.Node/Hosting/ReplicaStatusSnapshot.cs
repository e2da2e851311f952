using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>What the replica looked like after the last input it handled; read by status and health endpoints
/// from other threads, so it is an immutable copy.</summary>
/// <param name="ViewComplaints">Replicas (this one included) that asked to leave the current view; f+1 start the view
/// change.</param>
/// <param name="CheckpointOrderedAt">The boundary the last <c>dbCheckpoint create</c> named, if any.</param>
/// <param name="LastCheckpointDecided">The boundary of the last DB checkpoint the replicated state decided.</param>
public sealed record ReplicaStatusSnapshot(
    ReplicaId Replica,
    ViewNum View,
    ReplicaId Primary,
    bool ViewActive,
    int ViewComplaints,
    SeqNum LastExecuted,
    SeqNum LastStable,
    LedgerHead Head,
    bool TransferringState,
    int PendingRequests,
    SeqNum? WedgePoint,
    ulong Epoch,
    SeqNum? CheckpointOrderedAt,
    SeqNum LastCheckpointDecided
);
