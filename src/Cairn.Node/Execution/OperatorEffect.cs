namespace Cairn.Node.Execution;

/// <summary>What an executed operator command asks of the host beyond the block: arm a checkpoint, wedge,
/// unwedge.</summary>
public abstract record OperatorEffect;
