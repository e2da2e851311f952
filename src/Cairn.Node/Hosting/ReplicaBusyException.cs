namespace Cairn.Node.Hosting;

/// <summary>The replica's queue of client requests is full; the client should retry (or get its answer from other
/// replicas).</summary>
public sealed class ReplicaBusyException(string message) : Exception(message);
