using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Cairn.Core;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// One outbound gRPC stream per peer (TLS, authenticated both ways by pinned certificates), each fed by a bounded queue
/// that drops the oldest message when a peer is slow or down (consensus retransmits what matters), and reconnecting
/// with capped backoff. A message over the bound every replica receives (<see cref="Cairn.Consensus.MessageBounds"/>)
/// is never sent: it is logged as the bug it would be.
/// </summary>
public sealed class PeerConnections : IPeerSender, IAsyncDisposable
{
    private const int QueueCapacity = 20_000;

    // Protobuf's framing of one message in an envelope, at most: a tag byte and a length of up to five bytes.
    private const int FramingBytes = 6;
    private readonly ReplicaId _self;
    private readonly Dictionary<ReplicaId, Channel<byte[]>> _queues = [];
    private readonly List<Task> _senders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly long _maxMessageBytes;
    private readonly ReplicaCertificatePins _pins;
    private readonly X509Certificate2 _identity;

    /// <summary>Streams from <paramref name="self"/> to every other replica over TLS, presenting
    /// <paramref name="identity"/> and accepting only each peer's certificate in <paramref name="pins"/>.</summary>
    public PeerConnections(
        ReplicaId self,
        IReadOnlyList<PeerEndpoint> replicas,
        ReplicaCertificatePins pins,
        X509Certificate2 identity,
        long maxMessageBytes,
        ILogger logger
    )
    {
        _self = self;
        _pins = pins;
        _identity = identity;
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
        foreach (var peer in replicas.Where(r => r.Id != self))
        {
            var queue = Channel.CreateBounded<byte[]>(
                new BoundedChannelOptions(QueueCapacity)
                {
                    FullMode = BoundedChannelFullMode.DropOldest,
                    SingleReader = true,
                }
            );
            _queues[peer.Id] = queue;
            _senders.Add(Task.Run(() => PumpAsync(peer, queue.Reader, _stop.Token)));
        }
    }

    public void Send(ReplicaId to, byte[] message)
    {
        if (_queues.TryGetValue(to, out var queue) && WithinBound(to, message))
        {
            queue.Writer.TryWrite(message);
        }
    }

    public void Broadcast(byte[] message)
    {
        foreach (var (peer, queue) in _queues)
        {
            if (WithinBound(peer, message))
            {
                queue.Writer.TryWrite(message);
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

    private async Task PumpAsync(PeerEndpoint peer, ChannelReader<byte[]> queue, CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        byte[]? carried = null; // taken from the queue, not yet sent
        // Logged once per change: "connected" after the first message went through, "lost" at the first failure.
        var connected = false;
        var warned = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var channel = GrpcChannel.ForAddress(
                    peer.Address,
                    new GrpcChannelOptions
                    {
                        HttpHandler = ReplicaTls.Handler(_pins.Fingerprint(peer.Id), _identity),
                        DisposeHttpClient = true,
                    }
                );
                var client = new ReplicaTransport.ReplicaTransportClient(channel);
                using var call = client.Stream(cancellationToken: stop);
                while (carried is not null || await queue.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    // Every message waiting, in one envelope no larger than the largest legal message: a group
                    // commit's messages to a peer leave in one write. One that does not fit waits for the next.
                    var envelope = new PeerEnvelope { FromReplica = _self.Value };
                    long bytes = 0;
                    while (carried is not null || queue.TryRead(out carried))
                    {
                        if (envelope.Messages.Count > 0 && bytes + carried.Length + FramingBytes > _maxMessageBytes)
                        {
                            break;
                        }

                        envelope.Messages.Add(UnsafeByteOperations.UnsafeWrap(carried));
                        bytes += carried.Length + FramingBytes;
                        carried = null;
                    }

                    await call.RequestStream.WriteAsync(envelope, stop).ConfigureAwait(false);
                    if (!connected)
                    {
                        connected = true;
                        warned = false;
                        backoff = TimeSpan.FromMilliseconds(50);
                        NodeLog.PeerConnected(_logger, peer.Id.Value);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
                when (e is Grpc.Core.RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                if (!warned)
                {
                    NodeLog.PeerLost(_logger, peer.Id.Value, e.Message);
                    warned = true;
                }
                else
                {
                    NodeLog.PeerUnreachable(_logger, peer.Id.Value, e.Message);
                }

                connected = false;
                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }
}
