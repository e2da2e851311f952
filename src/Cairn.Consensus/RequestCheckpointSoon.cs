namespace Cairn.Consensus;

/// <summary>
/// Reach the next checkpoint boundary without client traffic: the primary fills the rest of the current checkpoint
/// window with no-op batches (operator commands that wait for a stable sequence number need this).
/// </summary>
public sealed record RequestCheckpointSoon : ConsensusInput;
