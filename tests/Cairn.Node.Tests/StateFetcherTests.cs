using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using AwesomeAssertions;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Ledger;
using Cairn.Node.Hosting;
using Cairn.Protocol.Configuration;
using Cairn.Protocol.Transport;

namespace Cairn.Node.Tests;

/// <summary>State transfer against a peer that stalls: the fetch gives it up on its deadline instead of waiting for
/// ever.</summary>
public sealed class StateFetcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cairn-fetch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_peer_that_completes_the_handshake_then_says_nothing_is_given_up_after_the_stall_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        var (ownCertificate, ownKey) = Certificate(0);
        var (peerCertificate, peerKey) = Certificate(1);
        using var own = TlsCertificateFiles.LoadIdentity(ownCertificate, ownKey, passphrase: null);
        using var peer = TlsCertificateFiles.LoadIdentity(peerCertificate, peerKey, passphrase: null);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var staller = StallAsync(listener, peer, own.Thumbprint, stop.Token);
        var replicas = new[]
        {
            new PeerEndpoint(new ReplicaId(0), "127.0.0.1", 1, "unused", ownCertificate),
            new PeerEndpoint(new ReplicaId(1), "127.0.0.1", port, "unused", peerCertificate),
        };
        var fetcher = new StateFetcher(replicas, ReplicaCertificatePins.Load(replicas), own);
        var genesis = new InMemoryLedger("chain").Head;

        // The deadline also covers connecting and the TLS handshake: generous, so a busy machine still gets that far.
        var blocks = await fetcher
            .ReadAsync(new ReplicaId(1), genesis.LastBlockId.Next, new SeqNum(8), TimeSpan.FromSeconds(5), ct)
            .ToListAsync(ct)
            .AsTask()
            .WaitAsync(TimeSpan.FromSeconds(60), ct);

        blocks.Should().BeEmpty("the only peer served nothing before its deadline, and its stream ended there");
        (await staller).Should().BeTrue("the fetch reached the peer and completed the TLS handshake");
        await stop.CancelAsync();
    }

    private (string Certificate, string Key) Certificate(int replica)
    {
        var certificate = Path.Combine(_dir, $"replica-{replica}.crt");
        var key = Path.Combine(_dir, $"replica-{replica}.key");
        TlsCertificateFiles.CreateReplicaCertificate(replica, "127.0.0.1", certificate, key);
        return (certificate, key);
    }

    /// <summary>Accepts one connection, completes the TLS handshake as the pinned peer (with the fetching replica's
    /// certificate), then reads what comes and never answers; true once the handshake completed.</summary>
    private static async Task<bool> StallAsync(
        TcpListener listener,
        System.Security.Cryptography.X509Certificates.X509Certificate2 identity,
        string clientThumbprint,
        CancellationToken stop
    )
    {
        using var client = await listener.AcceptTcpClientAsync(stop);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = identity,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate?.GetCertHashString() == clientThumbprint,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
            },
            stop
        );
        var buffer = new byte[4096];
        try
        {
            while (await tls.ReadAsync(buffer, stop) > 0) { }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException) { }

        return true;
    }
}
