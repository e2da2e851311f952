namespace Cairn.Node.LocalCluster;

/// <summary>A local cluster could not be started or stopped; the message names the replica and where to look.</summary>
public sealed class ClusterRunException(string message) : Exception(message);
