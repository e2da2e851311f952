using Cairn.Core;

namespace Cairn.Node.Execution;

/// <summary><c>dbCheckpoint create</c>: take a DB checkpoint at boundary <paramref name="At"/>.</summary>
public sealed record CheckpointRequested(SeqNum OrderedAt, SeqNum At) : OperatorEffect;
