using Cairn.Core;

namespace Cairn.Node.Execution;

/// <summary><c>wedge stop</c>: stop ordering at boundary <paramref name="At"/> and checkpoint there.</summary>
public sealed record WedgeOrdered(SeqNum OrderedAt, SeqNum At) : OperatorEffect;
