using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Cairn.TransportBench;

/// <summary>Echo over length-prefixed frames on Kestrel's HTTP/2 TLS port: a connection that negotiated the protocol
/// name <see cref="Alpn"/> instead of <c>h2</c> is served by a connection middleware reading Kestrel's pipes, so frames
/// and gRPC share one port.</summary>
internal sealed class KestrelFramedEcho : IEchoTransport
{
    private const int LengthBytes = 4;
    private static readonly SslApplicationProtocol Alpn = new("transport-bench");
    private readonly WebApplication _server;
    private readonly X509Certificate2 _certificate;
    private readonly IPEndPoint _endpoint;

    private KestrelFramedEcho(WebApplication server, X509Certificate2 certificate, IPEndPoint endpoint)
    {
        _server = server;
        _certificate = certificate;
        _endpoint = endpoint;
    }

    public static async Task<KestrelFramedEcho> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(
                IPAddress.Loopback,
                0,
                listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(
                        new HttpsConnectionAdapterOptions
                        {
                            ServerCertificate = certificate,
                            OnAuthenticate = (_, ssl) => ssl.ApplicationProtocols!.Insert(0, Alpn),
                        }
                    );
                    listen.Use(next => connection => ServeOrPassAsync(connection, next));
                }
            )
        );
        var server = builder.Build();
        await server.StartAsync().ConfigureAwait(false);
        var port = new Uri(server.Urls.First()).Port;
        return new KestrelFramedEcho(server, certificate, new IPEndPoint(IPAddress.Loopback, port));
    }

    private static async Task ServeOrPassAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (
            connection
                .Features.Get<ITlsApplicationProtocolFeature>()
                ?.ApplicationProtocol.Span.SequenceEqual(Alpn.Protocol.Span) != true
        )
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var echoed = false;
            while (TryTakeFrame(ref buffer, out var frame))
            {
                foreach (var segment in frame)
                {
                    output.Write(segment.Span);
                }

                echoed = true;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (echoed)
            {
                await output.FlushAsync().ConfigureAwait(false);
            }

            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        Span<byte> header = stackalloc byte[LengthBytes];
        if (buffer.Length < LengthBytes)
        {
            frame = default;
            return false;
        }

        buffer.Slice(0, LengthBytes).CopyTo(header);
        var length = LengthBytes + BinaryPrimitives.ReadInt32LittleEndian(header);
        if (buffer.Length < length)
        {
            frame = default;
            return false;
        }

        frame = buffer.Slice(0, length);
        buffer = buffer.Slice(length);
        return true;
    }

    public async Task PingPongAsync(int rounds, int size)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_endpoint).ConfigureAwait(false);
        await using var tls = new SslStream(new NetworkStream(socket));
        var options = SelfSigned.ClientOptions(_certificate);
        options.ApplicationProtocols = [Alpn];
        await tls.AuthenticateAsClientAsync(options).ConfigureAwait(false);
        var message = SelfSigned.Frame(size);
        var back = new byte[LengthBytes + size];
        for (var i = 0; i < rounds; i++)
        {
            await tls.WriteAsync(message).ConfigureAwait(false);
            await tls.ReadExactlyAsync(back).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
