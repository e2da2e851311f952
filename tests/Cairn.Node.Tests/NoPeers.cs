using Cairn.Core;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>A replica alone: what it sends goes nowhere.</summary>
internal sealed class NoPeers : IPeerSender
{
    public void Send(ReplicaId to, byte[] message) { }

    public void Broadcast(byte[] message) { }
}
