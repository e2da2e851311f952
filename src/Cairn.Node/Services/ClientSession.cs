using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Threading.Channels;
using Cairn.ClientProtocol;
using Cairn.Core.Encoding;
using Cairn.Protocol.Grpc;
using Cairn.Protocol.Kv;
using Cairn.Protocol.Transport;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Connections;

namespace Cairn.Node.Services;

/// <summary>
/// One client process's session connection (<see cref="Frames.ClientAlpn"/>): each request is admitted on the I/O
/// thread that read it and handed to the replica, and answers go back as they come, as many per write as are ready.
/// At most <see cref="MaxInFlight"/> requests of one connection wait for an answer; past that the connection is not
/// read until one is answered (TCP flow control then holds that client process, not the others). Every transmission
/// gets its own answer, as a call of its own would: a retransmission is answered for the state the replica is in when
/// it arrives. Something that is not a request, or a length over <see cref="ClientSessionLimits.LargestOnSession"/>,
/// closes the connection after a last answer that names no request and says why.
/// The first frame the replica writes is a challenge (32 random bytes, naming no request): a client that answers it
/// with a <see cref="SessionProof"/> for a key has that key's requests on this connection taken without checking
/// their signatures while this replica is a backup (<see cref="Hosting.ReplicaHost.Refusal"/>); a proof that does not
/// verify closes the connection like any other bad frame.
/// </summary>
internal sealed class ClientSession : IDisposable
{
    /// <summary>The most requests of one connection waiting for their answer to be written.</summary>
    public const int MaxInFlight = 2048;

    // How long one request may wait for its answer here, from WaitLimit to WaitLimit + one period: a replica that
    // catches up by state transfer never executes (so never answers) what it skipped, and a client that still wants
    // the answer retransmits, which waits again. Requests wait in generations (one cancellation per period, not a
    // timer per request): every period the oldest generation's requests stop waiting.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(1);
    private const int Generations = 4;
    private readonly Queue<CancellationTokenSource> _generations = new();
    private readonly ITimer _aging;

    // How many bytes of answers are written before the writer waits for them to go out.
    private const int FlushBytes = 1 << 20;

    private readonly ClientRequestHandler _handler;
    private readonly ConnectionContext _connection;
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

    // Why the replica closes the connection, written after every queued answer: the client sent something it cannot
    // take.
    private SessionReply? _closing;

    // This connection's challenge, and the client keys proven on it (read loop only).
    private readonly byte[] _challenge = RandomNumberGenerator.GetBytes(SessionProof.ChallengeSize);
    private readonly HashSet<int> _provenKeys = [];

    public ClientSession(ClientRequestHandler handler, ConnectionContext connection)
    {
        _handler = handler;
        _connection = connection;
        _cancellationToken = connection.ConnectionClosed;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
        _generations.Enqueue(CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken));
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

    /// <summary>Serves the connection until the client ends it (TLS close_notify: then every request it sent is
    /// answered first), hangs up, or sends something that is not a request (then it is told why).</summary>
    public async Task RunAsync()
    {
        var writer = WriteAnswersAsync();
        var input = _connection.Transport.Input;
        var frames = new FrameReader(ClientSessionLimits.LargestOnSession);
        var received = new List<ClientRequest>();
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(_stop.Token).ConfigureAwait(false);
                var left = TakeRequests(frames, read.Buffer, received);
                foreach (var request in received)
                {
                    await TakeAsync(request).ConfigureAwait(false);
                }

                received.Clear();
                if (left is null)
                {
                    // The client sent something that is not a request: it is told why, after what is queued.
                    break;
                }

                input.AdvanceTo(left.Value.Start, left.Value.End);
                if (read.IsCompleted)
                {
                    Done();
                    await _allAnswered.Task.ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The client hung up (nobody is left to answer), or the writer failed (its exception ends the connection).
        }
        catch (IOException)
        {
            // The client reset the connection (a CLI command that got its answers exits): nobody is left to answer.
        }
        finally
        {
            // The writer writes what is queued (and the reason for closing, if any), then stops.
            _answers.Writer.TryComplete();
            await WhenWritten(writer).ConfigureAwait(false);
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Decodes the whole requests at the start of <paramref name="buffer"/> into
    /// <paramref name="received"/>, takes the session proofs among them, and returns what is left; null, with the
    /// reason kept for the client, when a frame is neither a request nor a proof that verifies, or announces more than
    /// a session connection carries (what came before it is in <paramref name="received"/>).</summary>
    private ReadOnlySequence<byte>? TakeRequests(
        FrameReader frames,
        ReadOnlySequence<byte> buffer,
        List<ClientRequest> received
    )
    {
        try
        {
            return frames.Take(
                buffer,
                static (bytes, into) =>
                {
                    if (SessionProof.IsProof(bytes))
                    {
                        into.Session.Prove(bytes);
                    }
                    else
                    {
                        into.Received.Add(ClientRequestHandler.Decode(bytes));
                    }
                },
                (Session: this, Received: received)
            );
        }
        catch (RpcException e)
        {
            _closing = new SessionReply { RefusalCode = (int)e.StatusCode, Refusal = e.Status.Detail };
        }
        catch (InvalidDataException e)
        {
            _closing = new SessionReply
            {
                RefusalCode = (int)StatusCode.InvalidArgument,
                Refusal = $"{e.Message}: larger requests take a Submit call",
            };
        }

        return null;
    }

    /// <summary>Takes the session proof <paramref name="bytes"/>; throws an <see cref="RpcException"/>
    /// (InvalidArgument) with the reason when it is malformed or does not verify.</summary>
    private void Prove(ReadOnlySpan<byte> bytes)
    {
        SessionProof proof;
        try
        {
            proof = SessionProof.Decode(bytes);
        }
        catch (CanonicalEncodingException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"not a session proof ({e.Message})"));
        }

        if (!_handler.Proves(proof, _challenge))
        {
            throw new RpcException(
                new Status(
                    StatusCode.InvalidArgument,
                    $"the session proof for client key {proof.KeyIndex} is not that key's signature of this "
                        + "connection's challenge"
                )
            );
        }

        _provenKeys.Add(proof.KeyIndex);
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
            // The client reset the connection while answers were on their way: nobody is left to read them.
        }
    }

    private async Task TakeAsync(ClientRequest request)
    {
        await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
        var keyProven = _provenKeys.Contains(ClientIdentity.KeyIndexOf(request.ClientId));
        if (_handler.Admission(request, request.Encoded.Length, keyProven, out var signatureChecked) is { } refusal)
        {
            _answers.Writer.TryWrite(refusal);
            return;
        }

        Interlocked.Increment(ref _active);
        var waiter = new SessionReplyWaiter(this, request);
        if (waiter.Start(CurrentGeneration()) && _handler.Order(request, waiter, signatureChecked) is { } refused)
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
            await WriteFramesAsync(reader, _connection.Transport.Output).ConfigureAwait(false);
        }
        catch
        {
            // Nothing more can be answered on this connection: stop reading it.
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WriteFramesAsync(ChannelReader<SessionReply> reader, PipeWriter output)
    {
        Write(output, new SessionReply { Challenge = ByteString.CopyFrom(_challenge) });
        await output.FlushAsync(_cancellationToken).ConfigureAwait(false);
        while (await reader.WaitToReadAsync(_cancellationToken).ConfigureAwait(false))
        {
            var bytes = 0;
            while (bytes < FlushBytes && reader.TryRead(out var answer))
            {
                _slots.Release();
                bytes += Write(output, answer);
            }

            if ((await output.FlushAsync(_cancellationToken).ConfigureAwait(false)).IsCompleted)
            {
                return;
            }
        }

        if (_closing is { } closing)
        {
            Write(output, closing);
            await output.FlushAsync(_cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Answers <paramref name="connection"/> with <paramref name="reason"/> alone, naming no request, and ends
    /// it, without reading what it sent: the replica does not serve it.</summary>
    public static async Task RefuseAsync(ConnectionContext connection, SessionReply reason)
    {
        var output = connection.Transport.Output;
        try
        {
            Write(output, reason);
            await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone already: nobody is left to tell.
        }

        await output.CompleteAsync().ConfigureAwait(false);
        await connection.Transport.Input.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>Appends <paramref name="answer"/> to <paramref name="output"/> as one frame (<see cref="Frames"/>) and
    /// returns its length.</summary>
    private static int Write(PipeWriter output, SessionReply answer)
    {
        var size = answer.CalculateSize();
        var frame = output.GetSpan(Frames.HeaderBytes + size);
        BinaryPrimitives.WriteInt32LittleEndian(frame, size);
        answer.WriteTo(frame.Slice(Frames.HeaderBytes, size));
        output.Advance(Frames.HeaderBytes + size);
        return Frames.HeaderBytes + size;
    }

    public void Dispose()
    {
        _aging.Dispose();
        lock (_generations)
        {
            // Requests still waiting (the connection failed before they were answered) stop waiting now, so the replica
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
