using Cairn.Core;

namespace Cairn.Node.Hosting;

/// <summary>Fire-and-forget delivery of encoded consensus messages to peers. Loss is tolerated: PBFT
/// retransmits.</summary>
public interface IPeerSender
{
    void Send(ReplicaId to, byte[] message);

    void Broadcast(byte[] message);
}
