namespace Cairn.Node.LocalCluster;

/// <summary>What <c>cairn cluster init</c> was asked for.</summary>
/// <param name="Directory">The cluster directory; must not exist or be empty.</param>
/// <param name="Replicas">n = 3f + 1 replicas (4, 7, 10, ...); null for as many as addresses are given, else
/// <see cref="DefaultReplicas"/>.</param>
/// <param name="BasePort">Replica i listens on BasePort + i (unless its address names a port); its metrics on its port
/// + <see cref="MetricsPortOffset"/>.</param>
/// <param name="DescriptorPath">An <c>infrastructure_descriptor.json</c>, or null.</param>
/// <param name="Hosts">The replicas' addresses in id order (<c>--hosts</c>), or null. With addresses (here or in the
/// descriptor) init writes one bundle per host instead of a single-host cluster (see
/// <see cref="ClusterLayout"/>).</param>
public sealed record ClusterInitOptions(
    string Directory,
    int? Replicas = null,
    int BasePort = 7100,
    string? DescriptorPath = null,
    IReadOnlyList<ReplicaAddress>? Hosts = null
)
{
    /// <summary>The host every replica of a single-host cluster binds: loopback only.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>Replicas of a cluster when neither a count nor addresses are given.</summary>
    public const int DefaultReplicas = 4;

    /// <summary>Distance between a replica's gRPC port and its metrics port.</summary>
    public const int MetricsPortOffset = 100;
}
