using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// Execute the committed batch at <paramref name="Seq"/>; emitted strictly in sequence order, each seq once.
/// <paramref name="Requests"/> are the batch's requests to apply (requests already executed for their client are
/// left out, so nothing executes twice); the ledger block records the whole <paramref name="Batch"/>.
/// <paramref name="ConsensusTime"/> is the primary's PRE-PREPARE timestamp, never decreasing. The host answers with
/// <see cref="BatchExecuted"/>.
/// </summary>
public sealed record Execute(
    SeqNum Seq,
    Batch Batch,
    DateTimeOffset ConsensusTime,
    IReadOnlyList<ClientRequest> Requests
) : ConsensusOutput;
