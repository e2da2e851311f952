using Cairn.Core;

namespace Cairn.Node.Configuration;

/// <summary>
/// The numeric <c>deployment.config</c> keys the node itself consumes: each default and accepted range, written here
/// once (the consensus keys are in <see cref="Cairn.Consensus.ConsensusKeys"/>, the DB checkpoint keys in
/// <see cref="Cairn.Backup.DbCheckpointKeys"/>). docs/configuration.md quotes them (a test compares).
/// </summary>
public static class DeploymentKeys
{
    /// <summary><c>metrics_port</c>: HTTP port of <c>/metrics</c> and <c>/health</c>; 0 turns them off.</summary>
    public static readonly Setting<int> MetricsPort = new(0, 0, 65535);

    /// <summary><c>max_request_size</c>: the largest client request accepted, in bytes (64 B to 64 MiB).</summary>
    public static readonly Setting<int> MaxRequestSize = new(64 * 1024, 64, 64 * 1024 * 1024);
}
