using System.Net;
using System.Security.Authentication;
using AwesomeAssertions;
using Cairn.Core.Crypto;
using Cairn.Node.Hosting;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Tests;

/// <summary>
/// The replica port is TLS only, and its replica transport (consensus streams and <c>FetchBlocks</c>) serves
/// replicas only, each as the replica its pinned certificate names; clients verify the replica's pinned certificate
/// and need none of their own (docs/architecture.md, "Transport").
/// </summary>
public sealed class ReplicaPortTlsTests(ReplicaUnderTest replica) : IClassFixture<ReplicaUnderTest>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FetchBlocksRequest AllBlocks = new() { FromBlock = 0, ToSeq = ulong.MaxValue };

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
        using var stream = transport.Stream(cancellationToken: Ct);
        (await FluentActions.Awaiting(() => stream.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should()
            .Be(StatusCode.Unauthenticated);
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
    public async Task A_replica_certificate_reads_blocks_and_sends_as_its_own_replica_only()
    {
        using var identity = replica.Identity(1);
        using var channel = replica.Channel(replica.Pins.Fingerprint(replica.Config.ReplicaId), identity);
        var transport = new ReplicaTransport.ReplicaTransportClient(channel);

        (await ReadBlocksAsync(transport)).StatusCode.Should().Be(StatusCode.OK);

        // As itself: the stream takes the message (consensus drops it as malformed) and closes cleanly.
        using (var own = transport.Stream(cancellationToken: Ct))
        {
            await own.RequestStream.WriteAsync(Envelope(from: 1), Ct);
            await own.RequestStream.CompleteAsync();
            await own.ResponseAsync;
        }

        // As replica 2: refused.
        using var forged = transport.Stream(cancellationToken: Ct);
        await forged.RequestStream.WriteAsync(Envelope(from: 2), Ct);
        (await FluentActions.Awaiting(() => forged.ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should()
            .Be(StatusCode.PermissionDenied);
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

    private static PeerEnvelope Envelope(int from) =>
        new() { FromReplica = from, Messages = { ByteString.CopyFrom([0xFF, 0x00, 0x01]) } };
}
