using System.Threading.Channels;
using Cairn.Core;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// One outbound gRPC stream per peer, each fed by a bounded queue that drops the oldest message when a peer is slow
/// or down (consensus retransmits what matters), and reconnecting with capped backoff.
/// </summary>
public sealed class PeerConnections : IPeerSender, IAsyncDisposable
{
    private const int QueueCapacity = 20_000;
    private readonly ReplicaId _self;
    private readonly Dictionary<ReplicaId, Channel<byte[]>> _queues = [];
    private readonly List<Task> _senders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;

    public PeerConnections(ReplicaId self, IReadOnlyList<PeerEndpoint> replicas, ILogger logger)
    {
        _self = self;
        _logger = logger;
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
        if (_queues.TryGetValue(to, out var queue))
        {
            queue.Writer.TryWrite(message);
        }
    }

    public void Broadcast(byte[] message)
    {
        foreach (var queue in _queues.Values)
        {
            queue.Writer.TryWrite(message);
        }
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
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var channel = GrpcChannel.ForAddress(peer.Address);
                var client = new ReplicaTransport.ReplicaTransportClient(channel);
                using var call = client.Stream(cancellationToken: stop);
                NodeLog.PeerConnected(_logger, peer.Id.Value);
                backoff = TimeSpan.FromMilliseconds(50);
                await foreach (var message in queue.ReadAllAsync(stop).ConfigureAwait(false))
                {
                    await call
                        .RequestStream.WriteAsync(
                            new PeerEnvelope
                            {
                                FromReplica = _self.Value,
                                Message = UnsafeByteOperations.UnsafeWrap(message),
                            },
                            stop
                        )
                        .ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
                when (e is Grpc.Core.RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                NodeLog.PeerUnreachable(_logger, peer.Id.Value, e.Message);
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
