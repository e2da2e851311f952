namespace Cairn.Node.LocalCluster;

/// <summary>What <c>cairn cluster init</c> was asked for.</summary>
/// <param name="Directory">The cluster directory; must not exist or be empty.</param>
/// <param name="Replicas">n = 3f + 1 replicas (4, 7, 10, ...).</param>
/// <param name="BasePort">Replica i listens on BasePort + i; its metrics on BasePort + 100 + i.</param>
/// <param name="DescriptorPath">An <c>infrastructure_descriptor.json</c>, or null.</param>
public sealed record ClusterInitOptions(
    string Directory,
    int Replicas = 4,
    int BasePort = 7100,
    string? DescriptorPath = null
)
{
    /// <summary>The host every replica binds: local clusters run on loopback only.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>Distance between a replica's gRPC port and its metrics port.</summary>
    public const int MetricsPortOffset = 100;
}
