namespace Cairn.TransportBench;

/// <summary>A server and its clients in this process.</summary>
internal interface IEchoTransport : IAsyncDisposable
{
    /// <summary>Opens a connection, sends <paramref name="rounds"/> messages of <paramref name="size"/> bytes one at a
    /// time, each after the previous one came back, and closes it.</summary>
    Task PingPongAsync(int rounds, int size);
}
