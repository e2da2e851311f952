using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;

namespace Cairn.Protocol.Transport;

/// <summary>
/// The client end of the replica port's TLS: TLS 1.3, HTTP/2 (ALPN h2) for gRPC or one of the <see cref="Frames"/>
/// protocols, accepting only the certificate pinned for the replica it dials and presenting the caller's own replica
/// certificate when it has one (replicas do; clients and operators do not). docs/architecture.md, "Transport",
/// describes both ends.
/// </summary>
public static class ReplicaTls
{
    /// <summary>The TLS version both ends speak.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls13;

    /// <summary>A handler for channels to a replica whose certificate has the SHA-256 fingerprint
    /// <paramref name="pinnedFingerprint"/> (<see cref="ReplicaCertificatePins.Fingerprint"/>), presenting
    /// <paramref name="ownCertificate"/> (with its private key) when not null. One handler keeps its connections (and
    /// their TLS sessions) for every call made through it: share it.</summary>
    public static SocketsHttpHandler Handler(byte[] pinnedFingerprint, X509Certificate2? ownCertificate)
    {
        ArgumentNullException.ThrowIfNull(pinnedFingerprint);
        return new SocketsHttpHandler
        {
            // Kestrel allows 100 concurrent streams per connection by default; a process with more calls in
            // flight to one replica opens another connection instead of queueing them.
            EnableMultipleHttp2Connections = true,
            SslOptions = ClientOptions(pinnedFingerprint, ownCertificate),
        };
    }

    /// <summary>The TLS options of a connection to a replica whose certificate has the SHA-256 fingerprint
    /// <paramref name="pinnedFingerprint"/>, presenting <paramref name="ownCertificate"/> when not null.</summary>
    public static SslClientAuthenticationOptions ClientOptions(
        byte[] pinnedFingerprint,
        X509Certificate2? ownCertificate
    )
    {
        ArgumentNullException.ThrowIfNull(pinnedFingerprint);
        return new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = Protocols,
            // The pin replaces chain, name and date checks: the replica's certificate is self-signed.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null
                && CryptographicOperations.FixedTimeEquals(
                    TlsCertificateFiles.Fingerprint(certificate),
                    pinnedFingerprint
                ),
            ClientCertificateContext = ownCertificate is null
                ? null
                : SslStreamCertificateContext.Create(ownCertificate, additionalCertificates: null, offline: true),
        };
    }

    /// <summary>How long connecting and the TLS handshake may take: a replica behind a network that swallows packets
    /// must not hold the dialler forever.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A TLS connection to <paramref name="host"/>:<paramref name="port"/> (a replica port) that negotiated
    /// <paramref name="protocol"/>, accepting only the certificate with the SHA-256 fingerprint
    /// <paramref name="pinnedFingerprint"/> and presenting <paramref name="ownCertificate"/> when not null.</summary>
    /// <exception cref="IOException">When the replica cannot be reached, refuses the handshake, does not speak
    /// <paramref name="protocol"/>, or takes longer than <see cref="ConnectTimeout"/>.</exception>
    public static async Task<SslStream> ConnectAsync(
        string host,
        int port,
        byte[] pinnedFingerprint,
        X509Certificate2? ownCertificate,
        SslApplicationProtocol protocol,
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
            var options = ClientOptions(pinnedFingerprint, ownCertificate);
            options.TargetHost = host;
            options.ApplicationProtocols = [protocol];
            await tls.AuthenticateAsClientAsync(options, attempt.Token).ConfigureAwait(false);
            if (tls.NegotiatedApplicationProtocol != protocol)
            {
                throw new IOException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{host}:{port} does not speak {protocol} (a replica of another Cairn version?)"
                    )
                );
            }

            return tls;
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

    /// <summary>A handler for a client or operator (no certificate of its own) to <paramref name="replica"/>,
    /// pinning the certificate its config entry names.</summary>
    /// <exception cref="KeyFileException">When that certificate file is missing or not a PEM certificate.</exception>
    public static SocketsHttpHandler ClientHandler(PeerEndpoint replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        using var certificate = TlsCertificateFiles.LoadCertificate(replica.TlsCertificatePath);
        return Handler(TlsCertificateFiles.Fingerprint(certificate), ownCertificate: null);
    }
}
