namespace Cairn.Consensus;

/// <summary>Time passed. The replica has no clock: <paramref name="Now"/> is its only notion of time (timers, batching,
/// timestamps).</summary>
public sealed record Tick(DateTimeOffset Now) : ConsensusInput;
