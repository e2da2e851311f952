namespace Cairn.Client;

/// <summary>No f+1 matching replies arrived within the request timeout; the message says what each replica
/// did.</summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);
