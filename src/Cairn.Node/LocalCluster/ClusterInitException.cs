namespace Cairn.Node.LocalCluster;

/// <summary><c>cairn cluster init</c> cannot proceed (directory in use, bad replica count); nothing was
/// written.</summary>
public sealed class ClusterInitException(string message) : Exception(message);
