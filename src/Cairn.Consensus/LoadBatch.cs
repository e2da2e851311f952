using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A peer needs the batch of an executed seq, which this replica no longer keeps in memory: read the
/// <see cref="ProposalRecord"/> for (<paramref name="Seq"/>, <paramref name="Digest"/>) and input
/// <see cref="BatchLoaded"/> at once (with null when there is none), so the replica answers <paramref name="To"/>: with
/// a BATCH-BODY for its FETCH-BATCH, or with the whole PRE-PREPARE of the current view when
/// <paramref name="AsPrePrepare"/> (a peer whose execution is stuck below the seq).
/// </summary>
public sealed record LoadBatch(ReplicaId To, SeqNum Seq, Digest Digest, bool AsPrePrepare = false) : ConsensusOutput;
