using Cairn.ClientProtocol;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// What a restarting replica is given: its persisted records (in the order they were persisted, or the latest per
/// <see cref="PersistentRecord.Key"/>) and, from the ledger, the last executed seq, its state digest, consensus time
/// and each client's latest reply, and where the executed state says ordering stops (a wedge point), if anywhere.
/// </summary>
public sealed record ReplicaRecovery(
    IReadOnlyList<PersistentRecord> Records,
    SeqNum LastExecuted,
    Digest StateDigest,
    IReadOnlyList<ClientReply> LatestReplies,
    DateTimeOffset? LastConsensusTime = null,
    SeqNum? WedgePoint = null
);
