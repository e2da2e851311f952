using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// Reach the next checkpoint boundary without client traffic: the primary fills the rest of the current checkpoint
/// window with no-op batches (operator commands that wait for a stable sequence number need this).
/// <paramref name="After"/> is the seq the command was ordered at, so every replica aims at the same boundary:
/// the first multiple of the checkpoint window above it (above the replica's last executed seq when null).
/// </summary>
public sealed record RequestCheckpointSoon(SeqNum? After = null) : ConsensusInput;
