namespace Cairn.Node.LocalCluster;

/// <summary>One replica of a local cluster as <see cref="ClusterRunner"/> sees it: its process and whether it
/// answers.</summary>
/// <param name="Id">Replica id.</param>
/// <param name="Pid">Its process id, or null when no replica process of this cluster is running.</param>
/// <param name="Port">Its gRPC port.</param>
/// <param name="MetricsPort">Its metrics and health port.</param>
/// <param name="Healthy">True when its /health endpoint answered, from process <paramref name="Pid"/>.</param>
public sealed record ReplicaProcessInfo(int Id, int? Pid, int Port, int MetricsPort, bool Healthy);
