using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// <paramref name="Seq"/> is stable and this replica's state there is <paramref name="StateDigest"/>, proven by
/// <paramref name="Certificate"/> (2f+1 signatures). The backup manager takes DB checkpoints on this event.
/// </summary>
public sealed record StableCheckpoint(SeqNum Seq, Digest StateDigest, StableCheckpointCertificate Certificate)
    : ConsensusOutput;
