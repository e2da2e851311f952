using System.Collections.Concurrent;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Node.Hosting;

namespace Cairn.Node.Tests;

/// <summary>Keeps every message the host sends to its peers, decoded.</summary>
internal sealed class RecordingPeers : IPeerSender
{
    private readonly ConcurrentQueue<ConsensusMessage> _sent = new();

    /// <summary>What was sent so far, in order.</summary>
    public IReadOnlyList<ConsensusMessage> Sent => [.. _sent];

    public void Send(ReplicaId to, byte[] message) => Record(message);

    public void Broadcast(byte[] message) => Record(message);

    private void Record(byte[] message)
    {
        if (ConsensusMessage.TryDecode(message, out var decoded) && decoded is not null)
        {
            _sent.Enqueue(decoded);
        }
    }
}
