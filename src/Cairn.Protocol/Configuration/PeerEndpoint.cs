using Cairn.Core;

namespace Cairn.Protocol.Configuration;

/// <summary>One replica of the cluster as every replica's config lists it: where it listens, how it signs and which
/// TLS certificate it presents.</summary>
/// <param name="Id">The replica's id, 0 ≤ id &lt; n.</param>
/// <param name="Host">Host name or address of its replica/client/operator gRPC endpoint.</param>
/// <param name="Port">TCP port of that endpoint.</param>
/// <param name="PublicKeyPath">Absolute path of its Ed25519 public key (PEM).</param>
/// <param name="TlsCertificatePath">Absolute path of its TLS certificate (PEM): the only certificate peers and clients
/// accept from it, and the one that identifies it to its peers (see
/// <see cref="Transport.ReplicaCertificatePins"/>).</param>
public sealed record PeerEndpoint(ReplicaId Id, string Host, int Port, string PublicKeyPath, string TlsCertificatePath)
{
    /// <summary>The gRPC address of the endpoint: HTTP/2 over TLS (an IPv6 host is bracketed).</summary>
    public Uri Address => new UriBuilder(Uri.UriSchemeHttps, Host, Port).Uri;
}
