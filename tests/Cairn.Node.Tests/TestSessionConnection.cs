using System.Buffers.Binary;
using System.Net.Security;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;

namespace Cairn.Node.Tests;

/// <summary>A client's session connection to <see cref="ReplicaUnderTest"/> (<see cref="Frames.ClientAlpn"/>),
/// written and read frame by frame, so a test can send what a real client never would.</summary>
public sealed class TestSessionConnection : IAsyncDisposable
{
    private readonly SslStream _tls;

    private TestSessionConnection(SslStream tls) => _tls = tls;

    /// <summary>Connects to <paramref name="replica"/>'s port as a client (no certificate).</summary>
    public static async Task<TestSessionConnection> OpenAsync(ReplicaUnderTest replica, CancellationToken ct) =>
        new(
            await ReplicaTls.ConnectAsync(
                replica.Config.Self.Host,
                replica.Port,
                replica.Pins.Fingerprint(replica.Config.ReplicaId),
                ownCertificate: null,
                Frames.ClientAlpn,
                ct
            )
        );

    /// <summary>Writes <paramref name="messages"/> as frames, in one write.</summary>
    public async Task SendAsync(CancellationToken ct, params byte[][] messages) =>
        await _tls.WriteAsync(messages.SelectMany(m => Frames.Encode(m)).ToArray(), ct);

    /// <summary>Writes <paramref name="bytes"/> as they are.</summary>
    public async Task SendRawAsync(byte[] bytes, CancellationToken ct) => await _tls.WriteAsync(bytes, ct);

    /// <summary>Tells the replica no more requests come (TLS close_notify), as a client that is done.</summary>
    public async Task EndAsync() => await _tls.ShutdownAsync();

    /// <summary>The replica's challenge for this connection, once a read met it (the first frame of a served
    /// connection).</summary>
    public byte[]? Challenge { get; private set; }

    /// <summary>The next answer, past the challenge; null when the replica closed the connection.</summary>
    public async Task<SessionReply?> ReadAsync(CancellationToken ct)
    {
        while (await ReadFrameAsync(ct) is { } frame)
        {
            if (frame is { ClientId: 0, RequestId: 0, RefusalCode: 0, Challenge.IsEmpty: false })
            {
                Challenge = frame.Challenge.ToByteArray();
                continue;
            }

            return frame;
        }

        return null;
    }

    /// <summary>Reads up to the challenge and returns it.</summary>
    public async Task<byte[]> ReadChallengeAsync(CancellationToken ct)
    {
        while (Challenge is null)
        {
            if (await ReadFrameAsync(ct) is not { } frame)
            {
                throw new EndOfStreamException("the replica closed the connection before its challenge");
            }

            if (!frame.Challenge.IsEmpty)
            {
                Challenge = frame.Challenge.ToByteArray();
            }
        }

        return Challenge;
    }

    private async Task<SessionReply?> ReadFrameAsync(CancellationToken ct)
    {
        var header = new byte[Frames.HeaderBytes];
        if (!await FillAsync(header, ct))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadInt32LittleEndian(header)];
        return await FillAsync(message, ct)
            ? SessionReply.Parser.ParseFrom(message)
            : throw new EndOfStreamException("the connection ended inside a frame");
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await _tls.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }

    public ValueTask DisposeAsync() => _tls.DisposeAsync();
}
