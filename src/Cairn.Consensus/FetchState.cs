using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// This replica is behind the stable checkpoint: fetch state up to <see cref="TargetSeq"/> from
/// <paramref name="Peers"/>, accept it only if its digest equals <see cref="CertifiedDigest"/>, then report
/// <see cref="StateTransferCompleted"/>. No batch executes meanwhile. <paramref name="Certificate"/> certifies the
/// target's state whether or not a newer one has overtaken this transfer by the time it completes.
/// </summary>
public sealed record FetchState(StableCheckpointCertificate Certificate, IReadOnlyList<ReplicaId> Peers)
    : ConsensusOutput
{
    public SeqNum TargetSeq => Certificate.Seq;

    public Digest CertifiedDigest => Certificate.StateDigest;
}
