using Cairn.Protocol.Configuration;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Grpc.Net.Client;

namespace Cairn.Client;

/// <summary>
/// The connections of a process to every replica, shared by all its <see cref="CairnClient"/> sessions: per replica
/// one <see cref="ReplicaSession"/> (one session connection for the requests of every session) and one gRPC channel
/// (one TLS connection carrying HTTP/2, opened at its first call) for the operator API and requests too large for the
/// session connection. 64 sessions then cost 4 connections, not a call per request and replica. Whoever creates the
/// sessions owns and disposes it.
/// </summary>
public sealed class ReplicaChannels : IDisposable, IAsyncDisposable
{
    /// <summary>The largest answer a channel accepts unless told otherwise: gRPC's default, 4 MiB (client replies
    /// and operator answers are far smaller).</summary>
    public const int DefaultMaxReceiveBytes = 4 << 20;

    private readonly GrpcChannel[] _channels;
    private readonly ReplicaSession[] _replicas;
    private readonly AdminApi.AdminApiClient[] _admins;

    /// <summary>Channels to <paramref name="replicas"/>, in id order.</summary>
    /// <param name="maxReceiveMessageSize">The largest answer accepted on them (see <see cref="Open"/>).</param>
    /// <exception cref="Cairn.Core.Crypto.KeyFileException">When a replica's TLS certificate cannot be
    /// read.</exception>
    public ReplicaChannels(IReadOnlyList<PeerEndpoint> replicas, int maxReceiveMessageSize = DefaultMaxReceiveBytes)
    {
        _channels = [.. replicas.Select(replica => Open(replica, maxReceiveMessageSize))];
        _replicas =
        [
            .. replicas.Select(
                (replica, i) =>
                    new ReplicaSession(replica, new ClientApi.ClientApiClient(_channels[i]), maxReceiveMessageSize)
            ),
        ];
        _admins = [.. _channels.Select(c => new AdminApi.AdminApiClient(c))];
    }

    /// <summary>A channel to <paramref name="replica"/> over TLS that accepts only the certificate its config entry
    /// pins.</summary>
    /// <param name="maxReceiveMessageSize">The largest answer accepted.</param>
    /// <exception cref="Cairn.Core.Crypto.KeyFileException">When that certificate cannot be read.</exception>
    public static GrpcChannel Open(PeerEndpoint replica, int maxReceiveMessageSize = DefaultMaxReceiveBytes)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return GrpcChannel.ForAddress(
            replica.Address,
            new GrpcChannelOptions
            {
                HttpHandler = ReplicaTls.ClientHandler(replica),
                DisposeHttpClient = true,
                MaxReceiveMessageSize = maxReceiveMessageSize,
            }
        );
    }

    /// <summary>How many replicas there are.</summary>
    public int Count => _replicas.Length;

    /// <summary>The requests to replica <paramref name="replica"/> (its index in the config).</summary>
    public ReplicaSession this[int replica] => _replicas[replica];

    /// <summary>The operator API of replica <paramref name="replica"/> (its index in the config), on the same
    /// connections.</summary>
    public AdminApi.AdminApiClient Admin(int replica) => _admins[replica];

    /// <summary>How long <see cref="DisposeAsync"/> lets the replicas end their session connections before it resets
    /// what is left: a replica answers what it holds first, which by the time a command is done it has.</summary>
    public static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(1);

    /// <summary>Ends every replica's session connection as a client that is done, waiting up to
    /// <paramref name="patience"/>; returns how many replicas ended theirs (a replica with none open counts). The
    /// gRPC channels stay open until disposed.</summary>
    public async Task<int> CloseSessionsAsync(TimeSpan patience) =>
        (await Task.WhenAll(_replicas.Select(r => r.CloseAsync(patience))).ConfigureAwait(false)).Count(ended => ended);

    /// <summary>Ends the session connections (<see cref="CloseSessionsAsync"/>, up to <see cref="ClosePatience"/>),
    /// then closes the rest: what a process that is done with the replicas does, so that neither it nor the replicas
    /// pay for reset connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseSessionsAsync(ClosePatience).ConfigureAwait(false);
        Dispose();
    }

    public void Dispose()
    {
        foreach (var session in _replicas)
        {
            session.Dispose();
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
