using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Threading.Channels;
using Cairn.ClientProtocol;
using Cairn.Core.Crypto;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>
/// One session connection to one replica (<see cref="Frames.ClientAlpn"/>): requests of every session of the process
/// go out together, as many per write as wait (up to <see cref="ClientSessionLimits.WriteBytes"/>), and each answer
/// completes the request it names. Once the connection breaks, every request still waiting on it fails with the reason,
/// and the owner (<see cref="ReplicaSession"/>) opens a new one for the next request. Once the replica's challenge
/// arrived (its first frame), the first request of each client key goes after a <see cref="SessionProof"/> of that
/// key, so that a backup need not check the signatures of the key's requests on this connection; requests sent before
/// the challenge arrived are checked as before.
/// </summary>
internal sealed class SessionConnection : IDisposable
{
    /// <summary>The most requests waiting to be written; more are refused at once (ResourceExhausted), as a busy
    /// replica would.</summary>
    public const int OutboxCapacity = 4096;

    private readonly ReplicaAddress _replica;
    private readonly CancellationTokenSource _closing = new();

    // Encoded requests and session proofs, in the order they go out.
    private readonly Channel<ReadOnlyMemory<byte>> _outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(OutboxCapacity) { SingleReader = true }
    );

    // The replica's challenge for this connection once it arrived, and the client keys proven on it since.
    private byte[]? _challenge;
    private readonly HashSet<int> _provenKeys = [];

    // Transmissions waiting for their answer, oldest first per request: the replica answers each transmission once, so
    // an answer completes the oldest (a refusal of the first transmission does not settle a retransmission).
    private readonly Dictionary<(ulong Client, ulong Request), List<TaskCompletionSource<ByteString>>> _waiting = [];
    private readonly Task _running;

    // The connection once it is up, so that Dispose can close it.
    private SslStream? _tls;

    // Why the connection stops when the replica ends it (after CloseAsync, or on its own).
    private readonly RpcException _ended = new(new Status(StatusCode.Unavailable, "the replica ended the session"));
    private RpcException? _broken;
    private bool _closed;

    /// <summary>Connects to <paramref name="replica"/> in the background; requests wait in the outbox
    /// meanwhile.</summary>
    public SessionConnection(ReplicaAddress replica)
    {
        _replica = replica;
        _running = RunAsync();
    }

    /// <summary>True once the connection cannot carry requests any more: it broke, or it is being closed.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) is not null || Volatile.Read(ref _closed);

    /// <summary>Sends <paramref name="request"/>, signed by <paramref name="key"/>, and returns the replica's encoded
    /// reply to this transmission.</summary>
    /// <exception cref="RpcException">When the replica refused the request (its status code and reason), the connection
    /// broke, or <paramref name="cancellationToken"/> fired (Cancelled).</exception>
    public async Task<ByteString> SubmitAsync(
        ClientRequest request,
        SigningKey key,
        CancellationToken cancellationToken
    )
    {
        var waitKey = (request.ClientId, request.RequestId);
        // Completed by the reader loop, which then runs the caller's short continuation inline (CairnClient counts
        // the reply toward its quorum under a lock and returns): a thread hop per reply cost more than that work.
        var answer = new TaskCompletionSource<ByteString>();
        lock (_waiting)
        {
            if (!_waiting.TryGetValue(waitKey, out var transmissions))
            {
                _waiting[waitKey] = transmissions = [];
            }

            transmissions.Add(answer);
        }

        if (Volatile.Read(ref _broken) is { } broken)
        {
            Fail(waitKey, answer, broken);
        }
        else if (!(ProveKey(request, key) && _outbox.Writer.TryWrite(request.EncodedMemory)))
        {
            // Full, or completed by a break in the meantime.
            Fail(
                waitKey,
                answer,
                Volatile.Read(ref _broken)
                    ?? new RpcException(
                        new Status(
                            StatusCode.ResourceExhausted,
                            $"{OutboxCapacity} requests of this process wait to be sent to this replica"
                        )
                    )
            );
        }

        using var cancelled = cancellationToken.UnsafeRegister(
            _ => Fail(waitKey, answer, new RpcException(new Status(StatusCode.Cancelled, "the request was cancelled"))),
            null
        );
        return await answer.Task.ConfigureAwait(false);
    }

    /// <summary>Queues a <see cref="SessionProof"/> of <paramref name="key"/> ahead of <paramref name="request"/> when
    /// the replica's challenge is in and the key was not proven on this connection yet; false when the outbox is
    /// full.</summary>
    private bool ProveKey(ClientRequest request, SigningKey key)
    {
        var keyIndex = ClientIdentity.KeyIndexOf(request.ClientId);
        if (Volatile.Read(ref _challenge) is not { } challenge)
        {
            return true;
        }

        lock (_provenKeys)
        {
            if (!_provenKeys.Add(keyIndex))
            {
                return true;
            }
        }

        if (_outbox.Writer.TryWrite(SessionProof.Create(keyIndex, _replica.ReplicaId, challenge, key).Encode()))
        {
            return true;
        }

        lock (_provenKeys)
        {
            _provenKeys.Remove(keyIndex);
        }

        return false;
    }

    private void Fail((ulong, ulong) key, TaskCompletionSource<ByteString> answer, RpcException reason)
    {
        lock (_waiting)
        {
            if (
                _waiting.TryGetValue(key, out var transmissions)
                && transmissions.Remove(answer)
                && transmissions.Count == 0
            )
            {
                _waiting.Remove(key);
            }
        }

        answer.TrySetException(reason);
    }

    /// <summary>The oldest transmission of (<paramref name="client"/>, <paramref name="request"/>) still waiting, taken
    /// off the list; null when none is (answered already, or given up on).</summary>
    private TaskCompletionSource<ByteString>? TakeOldest(ulong client, ulong request)
    {
        lock (_waiting)
        {
            if (!_waiting.TryGetValue((client, request), out var transmissions))
            {
                return null;
            }

            var oldest = transmissions[0];
            transmissions.RemoveAt(0);
            if (transmissions.Count == 0)
            {
                _waiting.Remove((client, request));
            }

            return oldest;
        }
    }

    private async Task RunAsync()
    {
        SslStream tls;
        try
        {
            tls = await ReplicaTls
                .ConnectAsync(
                    _replica.Host,
                    _replica.Port,
                    _replica.Fingerprint,
                    ownCertificate: null,
                    Frames.ClientAlpn,
                    _closing.Token
                )
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Break(e);
            return;
        }

        Volatile.Write(ref _tls, tls);
        await using (tls.ConfigureAwait(false))
        {
            await Task.WhenAll(WriteAsync(tls), ReadAsync(tls)).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(SslStream tls)
    {
        try
        {
            var reader = _outbox.Reader;
            var frames = new ArrayBufferWriter<byte>(ClientSessionLimits.WriteBytes);
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                // The first request whatever its size, then as many more as fit the write.
                frames.ResetWrittenCount();
                while (
                    reader.TryPeek(out var next)
                    && (
                        frames.WrittenCount == 0
                        || frames.WrittenCount + Frames.HeaderBytes + next.Length <= ClientSessionLimits.WriteBytes
                    )
                )
                {
                    reader.TryRead(out _);
                    Frames.Write(frames, next.Span);
                }

                await tls.WriteAsync(frames.WrittenMemory, _closing.Token).ConfigureAwait(false);
            }

            // The outbox was completed by CloseAsync (a break cancels instead): TLS close_notify tells the replica no
            // more requests come, and it answers what it holds, then closes.
            await tls.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Break(e);
        }
    }

    private async Task ReadAsync(SslStream tls)
    {
        var input = PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true));
        var frames = new FrameReader(_replica.MaxReplyBytes);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var left = frames.Take(read.Buffer, static (reply, connection) => connection.Answer(reply), this);
                input.AdvanceTo(left.Start, left.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            Break(_ended);
        }
        catch (Exception e)
        {
            Break(e);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Completes the transmission <paramref name="encoded"/> (a <c>SessionReply</c>) answers; one that
    /// names no request is the replica's reason for closing the connection.</summary>
    private void Answer(ReadOnlySpan<byte> encoded)
    {
        var reply = SessionReply.Parser.ParseFrom(encoded);
        if (reply is { ClientId: 0, RequestId: 0, RefusalCode: 0, Challenge.Length: SessionProof.ChallengeSize })
        {
            Volatile.Write(ref _challenge, reply.Challenge.ToByteArray());
            return;
        }

        if (reply is { ClientId: 0, RequestId: 0, RefusalCode: not 0 })
        {
            Break(new RpcException(new Status((StatusCode)reply.RefusalCode, reply.Refusal)));
            return;
        }

        if (TakeOldest(reply.ClientId, reply.RequestId) is not { } answer)
        {
            return;
        }

        if (reply.RefusalCode != 0)
        {
            answer.TrySetException(new RpcException(new Status((StatusCode)reply.RefusalCode, reply.Refusal)));
        }
        else
        {
            answer.TrySetResult(reply.Reply);
        }
    }

    /// <summary>Marks the connection broken and fails every request waiting on it, with <paramref name="cause"/> as an
    /// <see cref="RpcException"/> (a gRPC error as it came, anything else as Unavailable).</summary>
    private void Break(Exception cause)
    {
        var reason =
            cause as RpcException
            ?? new RpcException(new Status(StatusCode.Unavailable, $"the session connection broke ({cause.Message})"));
        var broken = Interlocked.CompareExchange(ref _broken, reason, null) ?? reason;
        _outbox.Writer.TryComplete();
        _closing.Cancel();
        List<TaskCompletionSource<ByteString>> waiting;
        lock (_waiting)
        {
            waiting = [.. _waiting.Values.SelectMany(t => t)];
            _waiting.Clear();
        }

        waiting.ForEach(answer => answer.TrySetException(broken));
    }

    /// <summary>Ends the connection as a client that is done with it: no more requests go out (TLS close_notify), the
    /// replica answers what it holds and closes the connection, and neither end resets it (a reset costs each of them
    /// an exception per loop, and a replica under load the CPU). Returns true once the replica ended it, false when it
    /// broke or <paramref name="patience"/> passed first; <see cref="Dispose"/> then cancels what is left.</summary>
    public async Task<bool> CloseAsync(TimeSpan patience)
    {
        Volatile.Write(ref _closed, true);
        _outbox.Writer.TryComplete();
        await Task.WhenAny(_running, Task.Delay(patience)).ConfigureAwait(false);
        return _running.IsCompleted && Volatile.Read(ref _broken) is { } reason && reason == _ended;
    }

    /// <summary>Fails what still waits and lets the connection go, without waiting for it: the caller may be about to
    /// send other requests (to this replica on a new connection, or to the others), and a connection to a replica
    /// that died can take seconds to notice. Closing the TLS stream ends both loops.</summary>
    public void Dispose()
    {
        Break(new RpcException(new Status(StatusCode.Cancelled, "the client closed its connections")));
        Volatile.Read(ref _tls)?.Dispose();

        _ = _running.ContinueWith(
            _ => _closing.Dispose(),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        );
    }
}
