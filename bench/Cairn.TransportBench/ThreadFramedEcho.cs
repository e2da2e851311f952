using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Cairn.TransportBench;

/// <summary>Echo over the same length-prefixed frames on an SslStream as <see cref="FramedEcho"/>, but each side of
/// each connection is a thread of its own that blocks in the socket's read: one wake per message, no thread pool and
/// no async state machine in between.</summary>
internal sealed class ThreadFramedEcho : IEchoTransport
{
    private const int LengthBytes = 4;
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly Thread _accepting;

    // The server's side of each connection, joined at the end.
    private readonly List<Thread> _serving = [];

    private ThreadFramedEcho(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = new Thread(Accept) { IsBackground = true, Name = "accept" };
        _accepting.Start();
    }

    public static ThreadFramedEcho Start(X509Certificate2 certificate) => new(certificate);

    private void Accept()
    {
        try
        {
            while (true)
            {
                var socket = _listener.AcceptSocket();
                var serving = new Thread(() => Serve(socket)) { IsBackground = true, Name = "serve" };
                lock (_serving)
                {
                    _serving.Add(serving);
                }

                serving.Start();
            }
        }
        catch (SocketException) when (!_listener.Server.IsBound) { }
        catch (ObjectDisposedException) { }
    }

    private void Serve(Socket socket)
    {
        socket.NoDelay = true;
        using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        tls.AuthenticateAsServer(new SslServerAuthenticationOptions { ServerCertificate = _certificate });
        var header = new byte[LengthBytes];
        while (ReadFrame(tls, header) is { } message)
        {
            tls.Write(message);
        }
    }

    public Task PingPongAsync(int rounds, int size)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                PingPong(rounds, size);
                done.SetResult();
            }
            catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "ping",
        };
        thread.Start();
        return done.Task;
    }

    private void PingPong(int rounds, int size)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect((IPEndPoint)_listener.LocalEndpoint);
        using var tls = new SslStream(new NetworkStream(socket));
        tls.AuthenticateAsClient(SelfSigned.ClientOptions(_certificate));
        var message = SelfSigned.Frame(size);
        var header = new byte[LengthBytes];
        for (var i = 0; i < rounds; i++)
        {
            tls.Write(message);
            _ = ReadFrame(tls, header) ?? throw new EndOfStreamException("the server closed the connection");
        }
    }

    /// <summary>The next frame, its length prefix included; null at the end of the stream.</summary>
    private static byte[]? ReadFrame(SslStream tls, byte[] header)
    {
        try
        {
            tls.ReadExactly(header);
            var frame = new byte[LengthBytes + BinaryPrimitives.ReadInt32LittleEndian(header)];
            header.CopyTo(frame, 0);
            tls.ReadExactly(frame.AsSpan(LengthBytes));
            return frame;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        _accepting.Join();
        lock (_serving)
        {
            foreach (var serving in _serving)
            {
                serving.Join();
            }
        }

        return ValueTask.CompletedTask;
    }
}
