using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Grpc.Net.Client;

namespace Cairn.Client;

/// <summary>
/// One gRPC channel (one HTTP/2 connection, more under load) per replica, shared by every <see cref="CairnClient"/>
/// session of a process: 64 sessions then cost 4 connections, not 256, and each request's four calls are four streams
/// on warm connections. Whoever creates the sessions owns and disposes it.
/// </summary>
public sealed class ReplicaChannels : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private readonly ClientApi.ClientApiClient[] _replicas;

    /// <summary>Channels to <paramref name="replicas"/>, in id order.</summary>
    public ReplicaChannels(IReadOnlyList<PeerEndpoint> replicas)
    {
        _channels =
        [
            .. replicas.Select(r =>
                GrpcChannel.ForAddress(
                    r.Address,
                    new GrpcChannelOptions
                    {
                        // Kestrel allows 100 concurrent streams per connection by default; a process with more
                        // requests in flight to one replica opens another connection instead of queueing them.
                        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
                        DisposeHttpClient = true,
                    }
                )
            ),
        ];
        _replicas = [.. _channels.Select(c => new ClientApi.ClientApiClient(c))];
    }

    /// <summary>How many replicas there are.</summary>
    public int Count => _replicas.Length;

    /// <summary>The client API of replica <paramref name="replica"/> (its index in the config).</summary>
    public ClientApi.ClientApiClient this[int replica] => _replicas[replica];

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
