using System.Net;
using System.Net.Sockets;

namespace Cairn.Node.LocalCluster;

/// <summary>Finds loopback ports a temporary cluster can use (the demo), so it never collides with a running one.</summary>
public static class LocalPorts
{
    /// <summary>A base port such that the replica ports (base + i) and metrics ports (base + 100 + i) are all free now.</summary>
    /// <exception cref="ClusterRunException">When no free range is found after many tries.</exception>
    public static int FindFreeBasePort(int replicas)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var candidate = Random.Shared.Next(20_000, 40_000);
            var ports = Enumerable.Range(candidate, replicas)
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
