using Cairn.Core;

namespace Cairn.Protocol.Configuration;

/// <summary>
/// The numeric keys of <c>client.config</c> and <c>operator.config</c>, here so that both the client that reads them
/// and <c>cluster init</c> that writes them take the same values; docs/configuration.md quotes them (a test compares).
/// </summary>
public static class ClientConfigKeys
{
    /// <summary><c>request_timeout_millisec</c>: how long one request may take, retransmissions included. Long
    /// enough to ride out a view change under load (backups suspect the primary after 5 s, see
    /// docs/configuration.md).</summary>
    public static readonly Setting<int> RequestTimeoutMillisec = new(30_000, 100, 3_600_000);

    /// <summary><c>retransmit_timeout_millisec</c>: how long a client waits for f+1 matching replies before it sends
    /// the request to every replica again (PBFT's client retransmission: a backup that gets it again forwards it and
    /// suspects the primary). As long as the replicas' default <c>view_change_timer_millisec</c>, so a slow but live
    /// cluster is not sent every request twice.</summary>
    public static readonly Setting<int> RetransmitTimeoutMillisec = new(5_000, 50, 3_600_000);

    /// <summary>What <c>cluster init</c> writes into <c>operator.config</c>: operator commands wait for a checkpoint
    /// boundary, so they get longer than a client request.</summary>
    public const int OperatorRequestTimeoutMillisec = 30_000;
}
