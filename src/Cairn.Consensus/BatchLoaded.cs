using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>The answer to <see cref="LoadBatch"/>: the stored whole proposal, or null when storage has none; the
/// other fields as the request gave them.</summary>
public sealed record BatchLoaded(ReplicaId To, PrePrepare? Proposal, bool AsPrePrepare = false) : ConsensusInput;
