using Cairn.Consensus;

namespace Cairn.Node.Execution;

/// <summary>What executing one batch produced: the input consensus needs next, and operator effects for the
/// host.</summary>
public sealed record ExecutionOutcome(BatchExecuted Executed, IReadOnlyList<OperatorEffect> Effects);
