using Cairn.Core;

namespace Cairn.Protocol.Configuration;

/// <summary>
/// The numeric keys of <c>client.config</c> and <c>operator.config</c>, here so that both the client that reads them
/// and <c>cluster init</c> that writes them take the same values; docs/configuration.md quotes them (a test compares).
/// </summary>
public static class ClientConfigKeys
{
    /// <summary><c>request_timeout_millisec</c>: how long one request may take, retries included.</summary>
    public static readonly Setting<int> RequestTimeoutMillisec = new(10_000, 100, 3_600_000);

    /// <summary>What <c>cluster init</c> writes into <c>operator.config</c>: operator commands wait for a checkpoint
    /// boundary, so they get longer than a client request.</summary>
    public const int OperatorRequestTimeoutMillisec = 30_000;
}
