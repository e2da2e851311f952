using System.Buffers.Binary;
using System.Net;
using System.Security.Authentication;
using AwesomeAssertions;
using Cairn.Core.Crypto;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Grpc.Core;

namespace Cairn.Node.Tests;

/// <summary>
/// The replica port is TLS only, and its replica transport (consensus connections and <c>FetchBlocks</c>) serves
/// replicas only, each as the replica its pinned certificate names; clients verify the replica's pinned certificate
/// and need none of their own (docs/architecture.md, "Transport").
/// </summary>
public sealed class ReplicaPortTlsTests(ReplicaUnderTest replica) : IClassFixture<ReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FetchBlocksRequest AllBlocks = new() { FromBlock = 0, ToSeq = ulong.MaxValue };

    // How long a refused consensus connection may take to close: generous, for a busy machine.
    private static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_plaintext_HTTP2_request_gets_no_answer()
    {
        using var http = new HttpClient
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        // A gRPC frame for FetchBlocks (uncompressed, empty request), as curl --http2-prior-knowledge would send it.
        using var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new("application/grpc");
        var request = new Uri($"http://127.0.0.1:{replica.Port}/cairn.v1.ReplicaTransport/FetchBlocks");

        await FluentActions
            .Awaiting(() => http.PostAsync(request, content, Ct))
            .Should()
            .ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task A_client_without_a_certificate_reaches_the_client_and_admin_APIs_but_not_the_replica_transport()
    {
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), ownCertificate: null);

        var status = await new AdminApi.AdminApiClient(channel).StatusAsync(new StatusRequest(), cancellationToken: Ct);
        status.ReplicaId.Should().Be(0);

        var transport = new ReplicaTransport.ReplicaTransportClient(channel);
        (await ReadBlocksAsync(transport)).StatusCode.Should().Be(StatusCode.Unauthenticated);
        // The consensus connection: the handshake passes (a certificate is not required) and the replica closes it.
        await using var link = await ConnectPeerAsync(ownCertificate: null);
        await link.Closed.WaitAsync(ClosePatience, Ct);
    }

    [Fact]
    public async Task A_certificate_that_is_not_pinned_is_refused_at_the_handshake()
    {
        var stranger = Path.Combine(replica.Root, "stranger.crt");
        var strangerKey = Path.Combine(replica.Root, "stranger_key.pem");
        TlsCertificateFiles.CreateReplicaCertificate(1, "127.0.0.1", stranger, strangerKey);
        using var identity = TlsCertificateFiles.LoadIdentity(stranger, strangerKey, passphrase: null);
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), identity);

        // With TLS 1.3 the client may finish its side of the handshake before the server refuses its certificate: the
        // refusal then arrives while the call is sent (Unavailable) or while its answer is read (Internal). Either
        // way nothing is served.
        (await ReadBlocksAsync(new ReplicaTransport.ReplicaTransportClient(channel)))
            .StatusCode.Should()
            .BeOneOf(StatusCode.Unavailable, StatusCode.Internal);
    }

    [Fact]
    public async Task A_replica_certificate_reads_blocks_and_an_over_bound_length_closes_its_consensus_connection()
    {
        using var identity = replica.Identity(1);
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), identity);
        (await ReadBlocksAsync(new ReplicaTransport.ReplicaTransportClient(channel)))
            .StatusCode.Should()
            .Be(StatusCode.OK);

        await using var link = await ConnectPeerAsync(identity);
        // A malformed message is dropped and the connection stays; then a length over the bound, and it closes.
        await link.WriteAsync(Frames.Encode([0xFF, 0x00, 0x01]), Ct);
        var overBound = new byte[Frames.HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(overBound, int.MaxValue);
        link.Closed.IsCompleted.Should().BeFalse("a malformed message costs only itself");
        await link.WriteAsync(overBound, Ct);
        await link.Closed.WaitAsync(ClosePatience, Ct);
    }

    [Fact]
    public async Task A_client_pinning_another_certificate_cannot_connect()
    {
        using var channel = replica.Channel(
            replica.Pins.Fingerprint(new Cairn.Core.ReplicaId(1)),
            ownCertificate: null
        );

        (
            await FluentActions
                .Awaiting(() =>
                    new AdminApi.AdminApiClient(channel)
                        .StatusAsync(new StatusRequest(), cancellationToken: Ct)
                        .ResponseAsync
                )
                .Should()
                .ThrowAsync<RpcException>()
        )
            .Which.Status.DebugException.Should()
            .BeOfType<HttpRequestException>()
            .Which.InnerException.Should()
            .BeOfType<AuthenticationException>("the client refuses the replica's certificate");
    }

    [Fact]
    public async Task A_TLS_key_that_is_not_the_replicas_certificates_stops_the_start_naming_the_file()
    {
        var config = replica.Config with
        {
            ReplicaId = new Cairn.Core.ReplicaId(2),
            TlsPrivateKeyPath = replica.Layout.ReplicaTlsKey(1),
        };
        config = config with { PrivateKeyPath = replica.Layout.ReplicaPrivateKey(2) };

        (
            await FluentActions
                .Awaiting(() => ReplicaServer.RunAsync(config, Ct))
                .Should()
                .ThrowAsync<KeyFileException>()
        ).WithMessage($"{replica.Layout.ReplicaTlsKey(1)}: this TLS private key does not belong to the certificate *");

        var missing = config with { TlsPrivateKeyPath = replica.Layout.ReplicaTlsKey(2) + ".gone" };
        (
            await FluentActions
                .Awaiting(() => ReplicaServer.RunAsync(missing, Ct))
                .Should()
                .ThrowAsync<KeyFileException>()
        ).WithMessage($"{missing.TlsPrivateKeyPath}: cannot read the TLS private key file *");
    }

    private static async Task<Status> ReadBlocksAsync(ReplicaTransport.ReplicaTransportClient transport)
    {
        try
        {
            using var call = transport.FetchBlocks(AllBlocks, cancellationToken: Ct);
            await foreach (var _ in call.ResponseStream.ReadAllAsync(Ct)) { }

            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private Task<PeerLink> ConnectPeerAsync(
        System.Security.Cryptography.X509Certificates.X509Certificate2? ownCertificate
    ) =>
        PeerLink.ConnectAsync(
            "127.0.0.1",
            replica.Port,
            replica.Pins.Fingerprint(replica.Config.ReplicaId),
            ownCertificate,
            Ct
        );
}
