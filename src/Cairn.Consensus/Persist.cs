namespace Cairn.Consensus;

/// <summary>Make <paramref name="Record"/> durable before performing any later output (persist before
/// speaking).</summary>
public sealed record Persist(PersistentRecord Record) : ConsensusOutput;
