using System.Threading.Channels;
using Cairn.Protocol.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Cairn.Node.Services;

/// <summary>
/// One client process's <c>Session</c> stream: each frame's requests are admitted on the I/O thread that read it
/// and handed to the replica, and answers go back as they come, as many per frame as are ready. At most
/// <see cref="MaxInFlight"/> requests of one stream wait for an answer; past that the stream is not read until one is
/// answered (HTTP/2 flow control then holds that client process, not the others). Every transmission gets its own
/// answer, as a call of its own would: a retransmission is answered for the state the replica is in when it arrives.
/// </summary>
internal sealed class ClientSession : IDisposable
{
    /// <summary>The most requests of one stream waiting for their answer to be written.</summary>
    public const int MaxInFlight = 2048;

    // How long one request may wait for its answer here, from WaitLimit to WaitLimit + one period: a replica that
    // catches up by state transfer never executes (so never answers) what it skipped, and a client that still wants
    // the answer retransmits, which waits again. Requests wait in generations (one cancellation per period, not a
    // timer per request): every period the oldest generation's requests stop waiting.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(1);
    private const int Generations = 4;
    private readonly Queue<CancellationTokenSource> _generations = new();
    private readonly ITimer _aging;

    // The largest frame of answers (one larger answer goes alone): well under a client's 4 MiB receive limit.
    private const int FrameBytes = 1 << 20;

    private readonly ClientRequestHandler _handler;
    private readonly IServerStreamWriter<SessionReplies> _responses;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _stop;

    // Each answer queued here holds one of the slots, given back when the writer takes it: the queue never holds more
    // than MaxInFlight answers, so TryWrite always succeeds.
    private readonly SemaphoreSlim _slots = new(MaxInFlight);
    private readonly Channel<SessionReply> _answers = Channel.CreateBounded<SessionReply>(
        new BoundedChannelOptions(MaxInFlight) { SingleReader = true }
    );

    // Requests being answered, plus one for the reader: when it reaches zero after the client ended its side, every
    // request is answered.
    private int _active = 1;
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClientSession(
        ClientRequestHandler handler,
        IServerStreamWriter<SessionReplies> responses,
        CancellationToken cancellationToken
    )
    {
        _handler = handler;
        _responses = responses;
        _cancellationToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _generations.Enqueue(CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        var period = WaitLimit / Generations;
        _aging = TimeProvider.System.CreateTimer(_ => Age(), null, period, period);
    }

    /// <summary>Starts a new generation of waiting requests; past <see cref="Generations"/>, the oldest stops
    /// waiting.</summary>
    private void Age()
    {
        CancellationTokenSource? expired = null;
        lock (_generations)
        {
            _generations.Enqueue(CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken));
            if (_generations.Count > Generations + 1)
            {
                expired = _generations.Dequeue();
            }
        }

        expired?.Cancel();
        expired?.Dispose();
    }

    private CancellationToken CurrentGeneration()
    {
        lock (_generations)
        {
            return _generations.Last().Token;
        }
    }

    /// <summary>Serves the stream until the client ends it (then every request it sent is answered first) or hangs
    /// up; fails with the reason when the client sent something that is not a request.</summary>
    public async Task RunAsync(IAsyncStreamReader<SessionRequests> requests)
    {
        var writer = WriteAnswersAsync();
        try
        {
            await foreach (var frame in requests.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var bytes in frame.Requests)
                {
                    await TakeAsync(bytes).ConfigureAwait(false);
                }
            }

            Done();
            await _allAnswered.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The client hung up (nobody is left to answer), or the writer failed (its exception ends the stream).
        }
        catch (IOException)
        {
            // The client reset the stream (a CLI command that got its answers exits): nobody is left to answer.
        }
        finally
        {
            // The writer must be done before the call ends (Kestrel reuses a finished stream's objects): it writes
            // what is queued, then stops.
            _answers.Writer.TryComplete();
            await WhenWritten(writer).ConfigureAwait(false);
        }
    }

    private async Task WhenWritten(Task writer)
    {
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested) { }
        catch (IOException)
        {
            // The client reset the stream while answers were on their way: nobody is left to read them.
        }
    }

    private async Task TakeAsync(ByteString bytes)
    {
        // A frame that is not a request cannot be answered (it names no request): the stream ends with the reason.
        var request = ClientRequestHandler.Decode(bytes);
        await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
        if (_handler.Admission(request, bytes.Length) is { } refusal)
        {
            _answers.Writer.TryWrite(refusal);
            return;
        }

        Interlocked.Increment(ref _active);
        var waiter = new SessionReplyWaiter(this, request);
        if (waiter.Start(CurrentGeneration()) && _handler.Order(request, waiter) is { } refused)
        {
            waiter.Refuse(refused);
        }
    }

    /// <summary>Queues <paramref name="answer"/> for the writer, in the slot its request holds (on the consensus
    /// thread, for a reply: it must not block).</summary>
    public void Answered(SessionReply answer)
    {
        _answers.Writer.TryWrite(answer);
        Done();
    }

    /// <summary><paramref name="waiter"/>'s request is no longer waited for: its slot is free again.</summary>
    public void GaveUp(SessionReplyWaiter waiter)
    {
        _handler.StopWaiting(waiter.Request, waiter);
        _slots.Release();
        Done();
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _active) == 0)
        {
            _allAnswered.TrySetResult();
        }
    }

    private async Task WriteAnswersAsync()
    {
        var reader = _answers.Reader;
        try
        {
            await WriteFramesAsync(reader).ConfigureAwait(false);
        }
        catch
        {
            // Nothing more can be answered on this stream: stop reading it.
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WriteFramesAsync(ChannelReader<SessionReply> reader)
    {
        while (await reader.WaitToReadAsync(_cancellationToken).ConfigureAwait(false))
        {
            var frame = new SessionReplies();
            var bytes = 0;
            while (bytes < FrameBytes && reader.TryRead(out var answer))
            {
                _slots.Release();
                frame.Replies.Add(answer);
                bytes += answer.CalculateSize();
            }

            await _responses.WriteAsync(frame, _cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _aging.Dispose();
        lock (_generations)
        {
            // Requests still waiting (the stream failed before they were answered) stop waiting now, so the replica
            // does not keep them.
            foreach (var generation in _generations)
            {
                generation.Cancel();
                generation.Dispose();
            }

            _generations.Clear();
        }

        _stop.Dispose();
    }
}
