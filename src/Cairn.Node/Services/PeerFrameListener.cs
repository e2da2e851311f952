using Cairn.Core;
using Cairn.Node.Hosting;
using Cairn.Protocol.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Services;

/// <summary>
/// The replica port's replica-to-replica side, a Kestrel connection middleware after TLS: a connection that negotiated
/// <see cref="Frames.PeerAlpn"/> carries one peer's consensus messages, and every other goes on.
/// The connection must have presented a replica's pinned certificate (Kestrel refused any other at the handshake;
/// one without a certificate is closed here), and its messages are that replica's. Each message is decoded and
/// authenticated on the thread that read it (<see cref="ReplicaHost.ReceivePeerMessage"/>), in parallel across
/// peers, before it is queued for the consensus thread. A length over the receive bound closes the connection.
/// </summary>
public sealed class PeerFrameListener(
    ReplicaHost host,
    ReplicaCertificatePins pins,
    long maxMessageBytes,
    ILogger logger
)
{
    /// <summary>Serves <paramref name="connection"/> when it is a peer's, otherwise hands it to
    /// <paramref name="next"/>.</summary>
    public Task ServeOrPassAsync(ConnectionContext connection, ConnectionDelegate next) =>
        NegotiatedProtocol.ServeOrPassAsync(connection, next, Frames.PeerAlpn, ServeAsync);

    private async Task ServeAsync(ConnectionContext connection)
    {
        var peer = pins.ReplicaOf(connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate);
        if (peer is null)
        {
            NodeLog.PeerLinkUnauthenticated(logger, connection.RemoteEndPoint?.ToString());
            return;
        }

        await ReceiveAsync(connection, peer.Value).ConfigureAwait(false);
    }

    private async Task ReceiveAsync(ConnectionContext connection, ReplicaId peer)
    {
        var input = connection.Transport.Input;
        var reader = new FrameReader(maxMessageBytes);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                var left = reader.Take(
                    read.Buffer,
                    static (message, to) => to.Host.ReceivePeerMessage(to.Peer, message),
                    (Host: host, Peer: peer)
                );
                input.AdvanceTo(left.Start, left.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (InvalidDataException e)
        {
            NodeLog.PeerLinkRefused(logger, peer.Value, e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The connection broke or was aborted (the peer crashed or restarted, the network cut it, this replica is
            // stopping): the peer dials again, and consensus retransmits what it missed.
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }
}
