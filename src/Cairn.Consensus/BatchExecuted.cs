using Cairn.ClientProtocol;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// The host executed the batch at <paramref name="Seq"/> (after an <see cref="Execute"/> output), its state digest is
/// now <paramref name="StateDigestAfter"/> (the ledger digest; at checkpoint boundaries this is the checkpoint digest),
/// and <paramref name="Replies"/> are the unsigned replies to the executed requests. <paramref name="WedgePoint"/> is
/// where the state now says ordering stops (an operator's <c>wedge stop</c>), null when it does not.
/// </summary>
public sealed record BatchExecuted(
    SeqNum Seq,
    Digest StateDigestAfter,
    IReadOnlyList<ClientReply> Replies,
    SeqNum? WedgePoint = null
) : ConsensusInput;
