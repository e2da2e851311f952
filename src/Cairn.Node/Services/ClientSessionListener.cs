using Cairn.Node.Configuration;
using Cairn.Node.Hosting;
using Cairn.Protocol.Transport;
using Microsoft.AspNetCore.Connections;

namespace Cairn.Node.Services;

/// <summary>
/// The replica port's client side, a Kestrel connection middleware after TLS: a connection that negotiated
/// <see cref="Frames.ClientAlpn"/> is one client process's session connection (<see cref="ClientSession"/>), and every
/// other goes on. No certificate is asked of it: each request is signed by its client's key, checked on admission.
/// </summary>
public sealed class ClientSessionListener(ReplicaHost host, DeploymentConfig config)
{
    private readonly ClientRequestHandler _handler = new(host, config);

    /// <summary>Serves <paramref name="connection"/> when it is a client's session connection, otherwise hands it to
    /// <paramref name="next"/>.</summary>
    public Task ServeOrPassAsync(ConnectionContext connection, ConnectionDelegate next) =>
        NegotiatedProtocol.ServeOrPassAsync(connection, next, Frames.ClientAlpn, ServeAsync);

    private async Task ServeAsync(ConnectionContext connection)
    {
        using var session = new ClientSession(_handler, connection);
        await session.RunAsync().ConfigureAwait(false);
    }
}
