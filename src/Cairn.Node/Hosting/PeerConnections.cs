using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Cairn.Core;
using Cairn.Node.Observability;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// One outbound connection per peer (<see cref="PeerLink"/>: TLS, authenticated both ways by pinned certificates), each
/// fed by a <see cref="PeerOutbox"/> bounded in messages and bytes that drops the oldest when a peer is slow and keeps
/// nothing while it is unreachable (consensus retransmits what matters), and reconnecting with capped backoff. A
/// message over the bound every replica receives (<see cref="Cairn.Consensus.MessageBounds"/>) is never sent: it is
/// logged as the bug it would be.
/// </summary>
public sealed class PeerConnections : IPeerSender, IAsyncDisposable
{
    private const int QueueCapacity = 20_000;

    // Bytes waiting for one peer, at most (or one message over the bound, if larger): a few full batches.
    private const long QueueBytes = 16 * 1024 * 1024;

    // How many bytes of waiting messages go to a peer in one write, at most (one message may be larger).
    private const int WriteBytes = 256 * 1024;

    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly Dictionary<ReplicaId, PeerOutbox> _queues = [];
    private readonly List<Task> _senders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly long _maxMessageBytes;
    private readonly ReplicaCertificatePins _pins;
    private readonly X509Certificate2 _identity;

    /// <summary>Connections from <paramref name="self"/> to every other replica over TLS, presenting
    /// <paramref name="identity"/> and accepting only each peer's certificate in <paramref name="pins"/>.</summary>
    public PeerConnections(
        ReplicaId self,
        IReadOnlyList<PeerEndpoint> replicas,
        ReplicaCertificatePins pins,
        X509Certificate2 identity,
        long maxMessageBytes,
        ReplicaMetrics metrics,
        ILogger logger
    )
    {
        _pins = pins;
        _identity = identity;
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
        foreach (var peer in replicas.Where(r => r.Id != self))
        {
            var queue = new PeerOutbox(
                QueueCapacity,
                Math.Max(QueueBytes, maxMessageBytes),
                (reason, count) => metrics.PeerMessagesUnsent(peer.Id, reason, count)
            );
            _queues[peer.Id] = queue;
            _senders.Add(Task.Run(() => PumpAsync(peer, queue, _stop.Token)));
        }
    }

    public void Send(ReplicaId to, byte[] message)
    {
        if (_queues.TryGetValue(to, out var queue) && WithinBound(to, message))
        {
            queue.Add(message);
        }
    }

    public void Broadcast(byte[] message)
    {
        foreach (var (peer, queue) in _queues)
        {
            if (WithinBound(peer, message))
            {
                queue.Add(message);
            }
        }
    }

    private bool WithinBound(ReplicaId peer, byte[] message)
    {
        if (message.Length <= _maxMessageBytes)
        {
            return true;
        }

        NodeLog.MessageOverBound(_logger, peer.Value, message.Length, _maxMessageBytes);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_senders).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PumpAsync(PeerEndpoint peer, PeerOutbox queue, CancellationToken stop)
    {
        var backoff = InitialBackoff;
        // Logged once per change: "connected" when a connection carried its first write, "lost" at the first failure
        // after it. Backoff starts again only then: a peer that takes the handshake and closes at once is not redialled
        // every 50 ms.
        var warned = false;
        var frames = new ArrayBufferWriter<byte>(WriteBytes);
        var fingerprint = _pins.Fingerprint(peer.Id);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var link = await PeerLink
                    .ConnectAsync(peer.Host, peer.Port, fingerprint, _identity, stop)
                    .ConfigureAwait(false);
                queue.Reachable();
                var written = false;
                while (await queue.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    // Every message waiting, up to about WriteBytes, in one write: a group commit's messages to a
                    // peer leave together.
                    frames.ResetWrittenCount();
                    while (frames.WrittenCount < WriteBytes && queue.TryTake(out var message))
                    {
                        Frames.Write(frames, message);
                    }

                    if (link.Closed.IsCompleted)
                    {
                        throw new IOException("the peer closed the connection");
                    }

                    await link.WriteAsync(frames.WrittenMemory, stop).ConfigureAwait(false);
                    if (!written)
                    {
                        written = true;
                        warned = false;
                        backoff = InitialBackoff;
                        NodeLog.PeerConnected(_logger, peer.Id.Value);
                    }

                    if (frames.Capacity > 2 * WriteBytes)
                    {
                        // It grew for one large message (a PRE-PREPARE with a full batch, a NEW-VIEW): not kept.
                        frames = new ArrayBufferWriter<byte>(WriteBytes);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (IOException e)
            {
                queue.Unreachable();
                if (!warned)
                {
                    NodeLog.PeerLost(_logger, peer.Id.Value, e.Message);
                    warned = true;
                }
                else
                {
                    NodeLog.PeerUnreachable(_logger, peer.Id.Value, e.Message);
                }

                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
