namespace Cairn.Client;

/// <summary>The replicas refused the request (too large, malformed, not allowed); the message gives their
/// reason.</summary>
public sealed class RequestRejectedException(string message) : Exception(message);
