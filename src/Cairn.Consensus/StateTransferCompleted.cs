using Cairn.ClientProtocol;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// The host installed state up to <paramref name="Seq"/> with digest <paramref name="StateDigest"/> after a
/// <see cref="FetchState"/>. <paramref name="LatestReplies"/> is each client's latest reply as stored in that state
/// (the reply cache travels with the state); <paramref name="LastConsensusTime"/> the consensus time of the last block;
/// <paramref name="WedgePoint"/> where that state says ordering stops, null when it does not.
/// </summary>
public sealed record StateTransferCompleted(
    SeqNum Seq,
    Digest StateDigest,
    IReadOnlyList<ClientReply>? LatestReplies = null,
    DateTimeOffset? LastConsensusTime = null,
    SeqNum? WedgePoint = null
) : ConsensusInput;
