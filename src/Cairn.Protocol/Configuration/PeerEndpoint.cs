using Cairn.Core;

namespace Cairn.Protocol.Configuration;

/// <summary>One replica of the cluster as every replica's config lists it: where it listens and how it signs.</summary>
/// <param name="Id">The replica's id, 0 ≤ id &lt; n.</param>
/// <param name="Host">Host name or address of its replica/client/operator gRPC endpoint.</param>
/// <param name="Port">TCP port of that endpoint.</param>
/// <param name="PublicKeyPath">Absolute path of its Ed25519 public key (PEM).</param>
public sealed record PeerEndpoint(ReplicaId Id, string Host, int Port, string PublicKeyPath)
{
    /// <summary>The gRPC address of the endpoint (plain HTTP/2 on a trusted network; an IPv6 host is
    /// bracketed).</summary>
    public Uri Address => new UriBuilder(Uri.UriSchemeHttp, Host, Port).Uri;
}
