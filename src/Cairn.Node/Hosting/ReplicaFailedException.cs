namespace Cairn.Node.Hosting;

/// <summary>A replica that had started stopped on an error while running (a ledger or consensus failure), as opposed
/// to one that could not start (<see cref="NodeStartException"/>) or was asked to stop.</summary>
public sealed class ReplicaFailedException(string message, Exception inner) : Exception(message, inner);
