namespace Cairn.Consensus;

/// <summary>
/// Something the host must do. Outputs are returned in order and must be performed in order: a
/// <see cref="Persist"/> is durable before any later output is performed.
/// </summary>
public abstract record ConsensusOutput;
