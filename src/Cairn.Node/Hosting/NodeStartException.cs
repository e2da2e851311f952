namespace Cairn.Node.Hosting;

/// <summary>The replica could not start (port in use, key mismatch); the message is one line naming what and
/// where.</summary>
public sealed class NodeStartException(string message, Exception? inner = null) : Exception(message, inner);
