using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Cairn.FaultTests.Network;

/// <summary>
/// A TCP proxy on loopback for one directed link (a replica's view of a peer, or the client's view of a replica):
/// accepts on <c>listenPort</c>, connects to <c>targetPort</c>, and copies bytes both ways under the link's current
/// <see cref="LinkFault"/>. It works below gRPC, so it can cut, delay and lose traffic but not duplicate a message
/// (a repeated TCP segment would corrupt the HTTP/2 framing, not replay a consensus message).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly Random _random;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private LinkFault _fault = LinkFault.None;

    /// <param name="seed">Seeds the drop decisions, so a run can be repeated.</param>
    public FaultProxy(string name, int listenPort, int targetPort, int seed)
    {
        Name = name;
        _targetPort = targetPort;
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Which link this is, e.g. "replica 0 -> replica 2".</summary>
    public string Name { get; }

    /// <summary>The fault applied now; cutting resets every live connection at once.</summary>
    public LinkFault Fault
    {
        get => Volatile.Read(ref _fault);
        set
        {
            Volatile.Write(ref _fault, value);
            if (value.Cut)
            {
                foreach (var socket in _connections.Keys)
                {
                    Reset(socket);
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e)
                when (e is OperationCanceledException or ObjectDisposedException or SocketException
                    && _stop.IsCancellationRequested
                )
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(inbound));
        }
    }

    private async Task ServeAsync(Socket inbound)
    {
        if (Fault.Cut)
        {
            Reset(inbound);
            return;
        }

        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        _connections[inbound] = 0;
        _connections[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token).ConfigureAwait(false);
            // When one direction ends, the other cannot be trusted either: close both.
            await Task.WhenAny(PumpAsync(inbound, outbound), PumpAsync(outbound, inbound)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The target is down or the proxy is stopping: the connection simply ends, as it would without a proxy.
        }
        finally
        {
            Reset(inbound);
            Reset(outbound);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                var fault = Fault;
                if (fault.Cut || (fault.DropProbability > 0 && NextDouble() < fault.DropProbability))
                {
                    return;
                }

                if (fault.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(fault.Delay, _stop.Token).ConfigureAwait(false);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset by the other pump, by a cut, or by a process that died: the connection is over.
        }
    }

    private double NextDouble()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>Closes with RST (linger 0), as a dead link looks to the endpoints.</summary>
    private void Reset(Socket socket)
    {
        _connections.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing to reset.
        }

        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var socket in _connections.Keys)
        {
            Reset(socket);
        }

        _stop.Dispose();
    }
}
