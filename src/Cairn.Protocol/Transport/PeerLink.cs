using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.Protocol.Transport;

/// <summary>
/// A replica's connection to a peer's replica port for its consensus messages (<see cref="Frames"/>): TLS 1.3
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

    /// <summary>Completes when the peer closed the connection or it failed.</summary>
    public Task Closed { get; }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> (a peer's replica port), accepting only the
    /// certificate with the SHA-256 fingerprint <paramref name="pinnedFingerprint"/> and presenting
    /// <paramref name="ownCertificate"/> (a replica's, with its private key; null only to see what a peer does
    /// without one).</summary>
    /// <exception cref="IOException">When the peer cannot be reached, refuses the handshake, does not speak
    /// <see cref="Frames.PeerAlpn"/>, or takes longer than <see cref="ReplicaTls.ConnectTimeout"/>.</exception>
    public static async Task<PeerLink> ConnectAsync(
        string host,
        int port,
        byte[] pinnedFingerprint,
        X509Certificate2? ownCertificate,
        CancellationToken cancellationToken
    ) =>
        new(
            await ReplicaTls
                .ConnectAsync(host, port, pinnedFingerprint, ownCertificate, Frames.PeerAlpn, cancellationToken)
                .ConfigureAwait(false)
        );

    /// <summary>Writes <paramref name="frames"/> (whole <see cref="Frames"/>) to the peer.</summary>
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
