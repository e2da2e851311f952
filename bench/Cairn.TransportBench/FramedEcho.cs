using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.TransportBench;

/// <summary>Echo over length-prefixed frames (a 4-byte little-endian length, then the message) on an SslStream: one
/// read loop per connection, no HTTP/2 and no pipes in between.</summary>
internal sealed class FramedEcho : IEchoTransport
{
    private const int LengthBytes = 4;
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    // The server's side of each connection, awaited at the end so that a failed one fails the run.
    private readonly List<Task> _serving = [];

    private FramedEcho(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public static FramedEcho Start(X509Certificate2 certificate) => new(certificate);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                _serving.Add(ServeAsync(socket));
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate })
            .ConfigureAwait(false);
        var header = new byte[LengthBytes];
        while (await ReadFrameAsync(tls, header).ConfigureAwait(false) is { } message)
        {
            await tls.WriteAsync(message).ConfigureAwait(false);
        }
    }

    public async Task PingPongAsync(int rounds, int size)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint).ConfigureAwait(false);
        await using var tls = new SslStream(new NetworkStream(socket));
        await tls.AuthenticateAsClientAsync(SelfSigned.ClientOptions(_certificate)).ConfigureAwait(false);
        var message = SelfSigned.Frame(size);
        var header = new byte[LengthBytes];
        for (var i = 0; i < rounds; i++)
        {
            await tls.WriteAsync(message).ConfigureAwait(false);
            _ =
                await ReadFrameAsync(tls, header).ConfigureAwait(false)
                ?? throw new EndOfStreamException("the server closed the connection");
        }
    }

    /// <summary>The next frame, its length prefix included; null at the end of the stream.</summary>
    private static async Task<byte[]?> ReadFrameAsync(SslStream tls, byte[] header)
    {
        if (!await ReadExactlyAsync(tls, header).ConfigureAwait(false))
        {
            return null;
        }

        var frame = new byte[LengthBytes + BinaryPrimitives.ReadInt32LittleEndian(header)];
        header.CopyTo(frame, 0);
        return await ReadExactlyAsync(tls, frame.AsMemory(LengthBytes)).ConfigureAwait(false) ? frame : null;
    }

    private static async Task<bool> ReadExactlyAsync(SslStream tls, Memory<byte> into)
    {
        try
        {
            await tls.ReadExactlyAsync(into).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_serving).ConfigureAwait(false);
        _stop.Dispose();
    }
}
