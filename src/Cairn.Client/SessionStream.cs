using System.Threading.Channels;
using Cairn.ClientProtocol;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Client;

/// <summary>
/// One open <c>ClientApi.Session</c> stream to one replica: requests of every session of the process go out together,
/// as many per frame as wait (up to <see cref="ClientSessionLimits.FrameBytes"/>), and each answer completes the
/// request it names. Once the stream breaks, every request still waiting on it fails with the reason, and the owner
/// (<see cref="ReplicaSession"/>) opens a new one for the next request.
/// </summary>
internal sealed class SessionStream : IDisposable
{
    /// <summary>The most requests waiting to be written; more are refused at once (ResourceExhausted), as a busy
    /// replica would.</summary>
    public const int OutboxCapacity = 4096;

    private readonly AsyncDuplexStreamingCall<SessionRequests, SessionReplies> _call;
    private readonly CancellationTokenSource _closing = new();
    private readonly Channel<ClientRequest> _outbox = Channel.CreateBounded<ClientRequest>(
        new BoundedChannelOptions(OutboxCapacity) { SingleReader = true }
    );

    // Transmissions waiting for their answer, oldest first per request: the replica answers each transmission once, so
    // an answer completes the oldest (a refusal of the first transmission does not settle a retransmission).
    private readonly Dictionary<(ulong Client, ulong Request), List<TaskCompletionSource<ByteString>>> _waiting = [];
    private readonly Task _running;

    // Why the stream stops when the replica ends the call (after CloseAsync, or on its own).
    private readonly RpcException _ended = new(new Status(StatusCode.Unavailable, "the replica ended the session"));
    private RpcException? _broken;
    private bool _closed;

    public SessionStream(ClientApi.ClientApiClient api)
    {
        _call = api.Session(cancellationToken: _closing.Token);
        _running = Task.WhenAll(WriteAsync(), ReadAsync());
    }

    /// <summary>True once the stream cannot carry requests any more: it broke, or it is being closed.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) is not null || Volatile.Read(ref _closed);

    /// <summary>Sends <paramref name="request"/> and returns the replica's encoded reply to this
    /// transmission.</summary>
    /// <exception cref="RpcException">When the replica refused the request (its status code and reason), the stream
    /// broke, or <paramref name="cancellationToken"/> fired (Cancelled).</exception>
    public async Task<ByteString> SubmitAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        var key = (request.ClientId, request.RequestId);
        // Completed by the reader loop, which then runs the caller's short continuation inline (CairnClient counts
        // the reply toward its quorum under a lock and returns): a thread hop per reply cost more than that work.
        var answer = new TaskCompletionSource<ByteString>();
        lock (_waiting)
        {
            if (!_waiting.TryGetValue(key, out var transmissions))
            {
                _waiting[key] = transmissions = [];
            }

            transmissions.Add(answer);
        }

        if (Volatile.Read(ref _broken) is { } broken)
        {
            Fail(key, answer, broken);
        }
        else if (!_outbox.Writer.TryWrite(request))
        {
            // Full, or completed by a break in the meantime.
            Fail(
                key,
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
            _ => Fail(key, answer, new RpcException(new Status(StatusCode.Cancelled, "the request was cancelled"))),
            null
        );
        return await answer.Task.ConfigureAwait(false);
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

    private async Task WriteAsync()
    {
        try
        {
            var reader = _outbox.Reader;
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                var frame = new SessionRequests();
                var bytes = 0;
                while (
                    reader.TryPeek(out var next)
                    && bytes + next.Encoded.Length + ClientSessionLimits.FramingBytes <= ClientSessionLimits.FrameBytes
                )
                {
                    reader.TryRead(out _);
                    frame.Requests.Add(ByteString.CopyFrom(next.Encoded));
                    bytes += next.Encoded.Length + ClientSessionLimits.FramingBytes;
                }

                await _call.RequestStream.WriteAsync(frame, _closing.Token).ConfigureAwait(false);
            }

            // The outbox was completed by CloseAsync (a break cancels instead): tell the replica no more requests come.
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Break(e);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var frame in _call.ResponseStream.ReadAllAsync(_closing.Token).ConfigureAwait(false))
            {
                foreach (var reply in frame.Replies)
                {
                    if (TakeOldest(reply.ClientId, reply.RequestId) is not { } answer)
                    {
                        continue;
                    }

                    if (reply.RefusalCode != 0)
                    {
                        answer.TrySetException(
                            new RpcException(new Status((StatusCode)reply.RefusalCode, reply.Refusal))
                        );
                    }
                    else
                    {
                        answer.TrySetResult(reply.Reply);
                    }
                }
            }

            Break(_ended);
        }
        catch (Exception e)
        {
            Break(e);
        }
    }

    /// <summary>Marks the stream broken and fails every request waiting on it, with <paramref name="cause"/> as an
    /// <see cref="RpcException"/> (a gRPC error as it came, anything else as Unavailable).</summary>
    private void Break(Exception cause)
    {
        var reason =
            cause as RpcException
            ?? new RpcException(new Status(StatusCode.Unavailable, $"the session stream broke ({cause.Message})"));
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

    /// <summary>Ends the stream as a client that is done with it: no more requests go out, the replica answers what it
    /// holds and ends the call, and neither end resets it (a reset costs each of them an exception per loop, and a
    /// replica under load the CPU). Returns true once the replica ended it, false when it broke or
    /// <paramref name="patience"/> passed first; <see cref="Dispose"/> then cancels what is left.</summary>
    public async Task<bool> CloseAsync(TimeSpan patience)
    {
        Volatile.Write(ref _closed, true);
        _outbox.Writer.TryComplete();
        await Task.WhenAny(_running, Task.Delay(patience)).ConfigureAwait(false);
        return _running.IsCompleted && Volatile.Read(ref _broken) is { } reason && reason == _ended;
    }

    /// <summary>Fails what still waits and lets the stream go, without waiting for it: the caller may be about to
    /// send other requests (to this replica on a new stream, or to the others), and a stream to a replica that died
    /// can take seconds to notice the cancellation. The call is released once both loops have ended.</summary>
    public void Dispose()
    {
        Break(new RpcException(new Status(StatusCode.Cancelled, "the client closed its connections")));
        _ = _running.ContinueWith(
            _ =>
            {
                _call.Dispose();
                _closing.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        );
    }
}
