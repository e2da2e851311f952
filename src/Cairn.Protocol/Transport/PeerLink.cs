using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Protocol.Transport;

/// <summary>
/// A replica's connection to a peer's replica port for its consensus messages (<see cref="PeerFrames"/>): TLS 1.3
/// pinned to the peer's certificate, presenting this replica's own, and nothing read back but the end of the
/// connection (<see cref="Closed"/>), which the peer signals by closing it.
/// </summary>
public sealed class PeerLink : IAsyncDisposable
{
    private readonly SslStream _tls;

    private PeerLink(SslStream tls)
    {
        _tls = tls;
        Closed = WaitForEndAsync(tls);
    }

    /// <summary>How long connecting and the TLS handshake may take: a peer behind a network that swallows packets must
    /// not hold the dialler forever.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Completes when the peer closed the connection or it failed.</summary>
    public Task Closed { get; }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> (a peer's replica port), accepting only the
    /// certificate with the SHA-256 fingerprint <paramref name="pinnedFingerprint"/> and presenting
    /// <paramref name="ownCertificate"/> (a replica's, with its private key; null only to see what a peer does
    /// without one).</summary>
    /// <exception cref="IOException">When the peer cannot be reached, refuses the handshake, does not speak
    /// <see cref="PeerFrames.Alpn"/>, or takes longer than <see cref="ConnectTimeout"/>.</exception>
    public static async Task<PeerLink> ConnectAsync(
        string host,
        int port,
        byte[] pinnedFingerprint,
        X509Certificate2? ownCertificate,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(host, port, attempt.Token).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            var options = ReplicaTls.ClientOptions(pinnedFingerprint, ownCertificate);
            options.TargetHost = host;
            options.ApplicationProtocols = [PeerFrames.Alpn];
            await tls.AuthenticateAsClientAsync(options, attempt.Token).ConfigureAwait(false);
            if (tls.NegotiatedApplicationProtocol != PeerFrames.Alpn)
            {
                throw new IOException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{host}:{port} does not speak {PeerFrames.Alpn} (a replica of another Cairn version?)"
                    )
                );
            }

            return new PeerLink(tls);
        }
        catch (Exception e)
        {
            if (tls is null)
            {
                socket.Dispose();
            }
            else
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{host}:{port}: no connection and TLS handshake within {ConnectTimeout.TotalSeconds:0} s"
                    ),
                    e
                );
            }

            if (e is SocketException or AuthenticationException)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"{host}:{port}: {e.Message}"), e);
            }

            throw;
        }
    }

    /// <summary>Writes <paramref name="frames"/> (whole <see cref="PeerFrames"/>) to the peer.</summary>
    /// <exception cref="IOException">When the connection failed.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        await _tls.WriteAsync(frames, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _tls.DisposeAsync();

    private static async Task WaitForEndAsync(SslStream tls)
    {
        var sink = new byte[1];
        try
        {
            while (await tls.ReadAsync(sink).ConfigureAwait(false) > 0) { }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }
}
