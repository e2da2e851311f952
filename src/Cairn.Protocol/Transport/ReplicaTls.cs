using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cairn.Core.Crypto;
using Cairn.Protocol.Configuration;

namespace Cairn.Protocol.Transport;

/// <summary>
/// The client end of the replica port's TLS: TLS 1.3, HTTP/2 (ALPN h2) for gRPC or <see cref="PeerFrames"/> between
/// replicas, accepting only the certificate pinned for the replica it dials and presenting the caller's own replica
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
