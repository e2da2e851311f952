using System.Net;
using System.Net.Sockets;

namespace Cairn.Node.LocalCluster;

/// <summary>Finds loopback ports a temporary cluster can use (the demo), so it never collides with a running
/// one.</summary>
public static class LocalPorts
{
    // Below Linux's default ephemeral range (32768-60999): an outgoing connection's local port is never one of these,
    // so a port found free stays free for the replica that binds it a moment later.
    private const int LowestBase = 20_000;
    private const int HighestBase = 32_000;

    /// <summary>A base port such that the replica ports (base + i) and metrics ports (base + 100 + i) are all free
    /// now.</summary>
    /// <exception cref="ClusterRunException">When no free range is found after many tries.</exception>
    public static int FindFreeBasePort(int replicas)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = Random.Shared.Next(LowestBase, HighestBase);
            var ports = Enumerable
                .Range(candidate, replicas)
                .Concat(Enumerable.Range(candidate + ClusterInitOptions.MetricsPortOffset, replicas));
            if (ports.All(IsFree))
            {
                return candidate;
            }
        }

        throw new ClusterRunException("no free range of loopback ports found for a temporary cluster");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
