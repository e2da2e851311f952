using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// This replica is behind the stable checkpoint: fetch state up to <paramref name="TargetSeq"/> from
/// <paramref name="Peers"/>, accept it only if its digest equals <paramref name="CertifiedDigest"/>, then report
/// <see cref="StateTransferCompleted"/>. No batch executes meanwhile.
/// </summary>
public sealed record FetchState(SeqNum TargetSeq, Digest CertifiedDigest, IReadOnlyList<ReplicaId> Peers)
    : ConsensusOutput;
