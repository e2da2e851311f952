namespace Cairn.Node.Hosting;

/// <summary>A client write reached a wedged replica; the message says where it is wedged and how to resume.</summary>
public sealed class ReplicaWedgedException(string message) : Exception(message);
