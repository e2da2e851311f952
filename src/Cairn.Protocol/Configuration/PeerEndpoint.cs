using Cairn.Core;

namespace Cairn.Protocol.Configuration;

/// <summary>One replica of the cluster as every replica's config lists it: where it listens and how it signs.</summary>
/// <param name="Id">The replica's id, 0 ≤ id &lt; n.</param>
/// <param name="Host">Host name or address of its replica/client/operator gRPC endpoint.</param>
/// <param name="Port">TCP port of that endpoint.</param>
/// <param name="PublicKeyPath">Absolute path of its Ed25519 public key (PEM).</param>
public sealed record PeerEndpoint(ReplicaId Id, string Host, int Port, string PublicKeyPath);
