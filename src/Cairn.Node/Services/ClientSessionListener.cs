using System.Net;
using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Grpc.Core;
using Microsoft.AspNetCore.Connections;

namespace Cairn.Node.Services;

/// <summary>
/// The replica port's client side, a Kestrel connection middleware after TLS: a connection that negotiated
/// <see cref="Frames.ClientAlpn"/> is one client process's session connection (<see cref="ClientSession"/>), and every
/// other goes on. No certificate is asked of it: each request is signed by its client's key, checked on admission.
/// One address holds at most <see cref="MaxConnectionsPerAddress"/> session connections at once; past that a
/// connection is closed after an answer that names no request and says why, so a flood of connections from one
/// address costs that address, not the replica's other clients.
/// </summary>
public sealed class ClientSessionListener(ReplicaHost host, DeploymentConfig config)
{
    /// <summary>The most session connections one client address may hold open to this replica at once: each
    /// <c>CairnClient</c> with connections of its own opens one per replica (a test or service may run hundreds of
    /// sessions that way), and a process that shares them opens one in all.</summary>
    public const int MaxConnectionsPerAddress = 1024;

    private readonly ClientRequestHandler _handler = new(host, config);
    private readonly Dictionary<IPAddress, int> _open = [];

    /// <summary>Serves <paramref name="connection"/> when it is a client's session connection, otherwise hands it to
    /// <paramref name="next"/>.</summary>
    public Task ServeOrPassAsync(ConnectionContext connection, ConnectionDelegate next) =>
        NegotiatedProtocol.ServeOrPassAsync(connection, next, Frames.ClientAlpn, ServeAsync);

    private async Task ServeAsync(ConnectionContext connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (!TryOpen(address))
        {
            await ClientSession
                .RefuseAsync(
                    connection,
                    new SessionReply
                    {
                        RefusalCode = (int)StatusCode.ResourceExhausted,
                        Refusal =
                            $"{address} holds {MaxConnectionsPerAddress} session connections to this replica "
                            + "already (each CairnClient with connections of its own holds one)",
                    }
                )
                .ConfigureAwait(false);
            return;
        }

        try
        {
            using var session = new ClientSession(_handler, connection);
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Close(address);
        }
    }

    private bool TryOpen(IPAddress address)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(address);
            if (open >= MaxConnectionsPerAddress)
            {
                return false;
            }

            _open[address] = open + 1;
            return true;
        }
    }

    private void Close(IPAddress address)
    {
        lock (_open)
        {
            if (--_open[address] == 0)
            {
                _open.Remove(address);
            }
        }
    }
}
