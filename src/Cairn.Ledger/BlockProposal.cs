using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>What the execution of one agreed batch adds to the ledger; the store gives it its id and chains
/// it.</summary>
/// <param name="SeqNum">The consensus sequence number whose batch produced this block.</param>
/// <param name="Timestamp">Consensus time of the batch (the primary's timestamp), never a replica's own clock.</param>
/// <param name="Writes">State changes, applied in order.</param>
public sealed record BlockProposal(SeqNum SeqNum, DateTimeOffset Timestamp, IReadOnlyList<StateWrite> Writes);
