namespace Cairn.Node.Execution;

/// <summary><c>unwedge</c>: resume ordering in epoch <paramref name="Epoch"/>.</summary>
public sealed record Unwedged(ulong Epoch) : OperatorEffect;
