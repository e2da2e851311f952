using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cairn.TransportBench.Grpc;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.TransportBench;

/// <summary>Echo over a gRPC bidirectional stream: Kestrel with HTTP/2 over TLS, and a gRPC channel.</summary>
internal sealed class GrpcEcho : IEchoTransport
{
    private readonly WebApplication _server;
    private readonly GrpcChannel _channel;

    private GrpcEcho(WebApplication server, GrpcChannel channel)
    {
        _server = server;
        _channel = channel;
    }

    public static async Task<GrpcEcho> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(
                IPAddress.Loopback,
                0,
                listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(certificate);
                }
            )
        );
        var server = builder.Build();
        server.MapGrpcService<EchoService>();
        await server.StartAsync().ConfigureAwait(false);
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = SelfSigned.Pinned(certificate) },
        };
        var channel = GrpcChannel.ForAddress(server.Urls.First(), new GrpcChannelOptions { HttpHandler = handler });
        return new GrpcEcho(server, channel);
    }

    public async Task PingPongAsync(int rounds, int size)
    {
        var payload = UnsafeByteOperations.UnsafeWrap(new byte[size]);
        using var call = new Echo.EchoClient(_channel).Stream();
        for (var i = 0; i < rounds; i++)
        {
            await call.RequestStream.WriteAsync(new Envelope { Messages = { payload } }).ConfigureAwait(false);
            await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
        }

        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _server.StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
