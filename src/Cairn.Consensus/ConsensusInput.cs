namespace Cairn.Consensus;

/// <summary>Something that happened to a replica: the only way anything reaches <see cref="Replica.Handle"/>.</summary>
public abstract record ConsensusInput;
