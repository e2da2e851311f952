using Cairn.Backup;
using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Observability;
using Cairn.Operator;
using Cairn.Protocol.Kv;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// The async shell around a <see cref="ReplicaEngine"/>: inputs (peer messages, client requests, ticks) arrive in
/// bounded queues, one per source (<see cref="InputQueues"/>), already decoded and authenticated on the I/O threads
/// that received them; one consensus thread hands them to the engine in groups, and once the engine made a group
/// durable with one sync it sends the group's messages, answers its clients and starts its state fetches (persist
/// before speaking, with one fsync per group instead of several per batch).
/// </summary>
public sealed partial class ReplicaHost
{
    private readonly ReplicaEngine _engine;
    private readonly int _n;
    private readonly ReplicaOptions _options;
    private readonly ILedgerStore _ledger;
    private readonly IPeerSender _peers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReplicaMetrics _metrics;
    private readonly BlockTransfer? _transfer;
    private readonly InputQueues _inputs;
    private int _tickQueued;
    private readonly ClientReplyWaiters _waiters = new();

    // Client requests whose signatures the I/O threads checked lately: each is checked once, on admission or with its
    // PRE-PREPARE, whichever comes first.
    private readonly VerifiedRequests _verified = new();
    private const int MaxGroupSize = 512;

    /// <summary>Most messages of one replica waiting for the consensus thread; more are dropped (consensus
    /// retransmits).</summary>
    public const int PeerQueueCapacity = 4096;

    /// <summary>Most client requests waiting for the consensus thread; more are refused as busy.</summary>
    public const int ClientQueueCapacity = 8192;

    // The host's own work: ticks (one at a time), state-transfer results and waiters, each bounded by its nature.
    private const int HostQueueCapacity = 65_536;
    private ReplicaStatusSnapshot _status;

    // Consensus thread only: who waits for a stable checkpoint this replica's own state matches, or for the wedge
    // point.
    private readonly List<(SeqNum AtLeast, TaskCompletionSource<SeqNum> Reached)> _stableWaiters = [];
    private readonly List<Action> _wedgeWaiters = [];

    /// <param name="transfer">Fetches and installs the blocks of a state transfer; null where there are no peers to
    /// ask (tests).</param>
    /// <param name="checkpoints">Takes DB checkpoints at boundaries and finalises them when stable; null for none
    /// (tests).</param>
    public ReplicaHost(
        ReplicaOptions options,
        ILedgerStore ledger,
        IPeerSender peers,
        BlockTransfer? transfer,
        OperatorCommandVerifier operatorVerifier,
        DbCheckpointManager? checkpoints,
        TimeProvider time,
        ILogger logger,
        ReplicaMetrics metrics
    )
    {
        _options = options;
        _transfer = transfer;
        _ledger = ledger;
        _n = options.N;
        _inputs = new InputQueues([
            .. Enumerable.Repeat(PeerQueueCapacity, _n),
            ClientQueueCapacity,
            HostQueueCapacity,
        ]);
        _engine = new ReplicaEngine(options, ledger, operatorVerifier, checkpoints, time, logger, metrics);
        _peers = peers;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        StartedAt = time.GetUtcNow();
        _status = _engine.Snapshot();
    }

    /// <summary>The consensus generation the replica signs in (docs/consensus.md, "Restoring every
    /// replica").</summary>
    public ConsensusGeneration Generation => _engine.Generation;

    /// <summary>When this host was created.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The replica's state after the last input it handled.</summary>
    public ReplicaStatusSnapshot Status => Volatile.Read(ref _status);

    /// <summary>The certificate of the newest stable checkpoint (2f+1 signatures over its seq and block digest), or
    /// null before the first; its block may not be in this replica's ledger yet (state transfer).</summary>
    public StableCheckpointCertificate? StableCertificate => _engine.StableCertificate;

    /// <summary>
    /// Asks for a stable checkpoint at <paramref name="atLeast"/> or later without client traffic: when this replica
    /// has not executed the first checkpoint boundary at or above it, the primary fills the window up to it with no-op
    /// batches (<see cref="RequestCheckpointSoon"/>, as <c>dbCheckpoint create</c> and <c>wedge stop</c> do), and a
    /// backup that sees no fill suspects the primary. Never past a wedge point. Dropped when the host queue is full.
    /// </summary>
    public void RequestStableCheckpoint(SeqNum atLeast)
    {
        var window = (ulong)_options.CheckpointWindowSize;
        var boundary = Math.Max(1, (atLeast.Value + window - 1) / window) * window;
        if (Status.LastExecuted.Value < boundary)
        {
            _inputs.TryAdd(HostSource, () => _engine.Handle(new RequestCheckpointSoon(new SeqNum(boundary - 1))));
        }
    }

    private int ClientSource => _n;

    private int HostSource => _n + 1;

    /// <summary>
    /// A peer's encoded message, on the I/O thread that received it: decoded and its signature checked here, in
    /// parallel with other connections, then queued under its signed sender; one that travels unsigned (a COMMIT) is
    /// taken only from its sender's own link. Malformed, badly signed, misrouted and excess messages are dropped and
    /// counted (<c>cairn_peer_messages_dropped_total</c>).
    /// </summary>
    public void ReceivePeerMessage(ReplicaId transportPeer, ReadOnlySpan<byte> bytes)
    {
        if (!ConsensusMessage.TryDecode(bytes, out var message) || message is null)
        {
            _metrics.PeerMessageDropped("malformed");
            return;
        }

        var sender = message.Sender.Value;
        if ((uint)sender >= (uint)_n || sender == _options.Id.Value)
        {
            _metrics.PeerMessageDropped("unknown_sender");
            return;
        }

        if (message.TravelsUnsigned)
        {
            if (sender != transportPeer.Value)
            {
                _metrics.PeerMessageDropped("not_from_sender");
                return;
            }
        }
        else if (!message.VerifySignature(_options.ReplicaKeys[sender], _engine.Generation))
        {
            _metrics.PeerMessageDropped("bad_signature");
            return;
        }

        var received = new MessageReceived(
            transportPeer,
            message,
            SignatureVerified: !message.TravelsUnsigned,
            RequestsVerified: message is PrePrepare { Batch: { } batch } && RequestsVerified(batch)
        );
        if (!_inputs.TryAdd(sender, () => _engine.Handle(received)))
        {
            _metrics.PeerMessageDropped("queue_full");
        }
    }

    /// <summary>Whether every client request in <paramref name="batch"/> is its client's: its signature checked here
    /// (on the I/O thread) unless this replica checked it already or took it on a session its client proved. False at
    /// the first that is not: the replica then checks the batch itself and refuses it.</summary>
    private bool RequestsVerified(Batch batch)
    {
        return batch.Requests.All(request =>
            _options.ClientKeys.TryGetValue(request.ClientId, out var key) && _verified.Authenticate(request, key)
        );
    }

    /// <summary>Runs <paramref name="work"/> on the consensus thread, the only thread that touches the replica and
    /// ledger writes.</summary>
    private void Enqueue(Action work)
    {
        if (!_inputs.TryAdd(HostSource, work))
        {
            throw new InvalidOperationException($"the host's own work queue is full ({HostQueueCapacity} items)");
        }
    }

    /// <summary>Why this replica would drop <paramref name="request"/> (unknown client, bad signature), or null: lets
    /// the client API answer with a reason instead of leaving the client to time out. When
    /// <paramref name="keyProven"/> (the request came on a connection whose client proved the request's key, a
    /// <see cref="SessionProof"/>) and this replica is not the primary, the connection vouches for the request and its
    /// signature is not checked (<paramref name="signatureChecked"/> false): a backup only needs to know the request is
    /// its client's, and the primary checks every signature before it proposes (docs/architecture.md).</summary>
    public string? Refusal(ClientRequest request, bool keyProven, out bool signatureChecked)
    {
        signatureChecked = false;
        if (!_options.ClientKeys.TryGetValue(request.ClientId, out var key))
        {
            return $"client id {request.ClientId} is not one this cluster knows";
        }

        var fromOperator = ClientIdentity.KeyIndexOf(request.ClientId) == ClientIdentity.OperatorKeyIndex;
        if (request.Flags.HasFlag(RequestFlags.Operator) && !fromOperator)
        {
            return "operator commands must come from the operator's key";
        }

        if (keyProven && Volatile.Read(ref _status).Primary != _options.Id)
        {
            _verified.RecordVouched(request);
            _metrics.RequestAdmitted(signatureChecked: false);
            return null;
        }

        if (!_verified.Verify(request, key))
        {
            return fromOperator
                ? "the command is not signed by this cluster's operator key"
                : $"the request is not signed by the key of client {request.ClientId}";
        }

        signatureChecked = true;
        _metrics.RequestAdmitted(signatureChecked: true);
        return null;
    }

    /// <summary>Whether a session connection's client proved with <paramref name="proof"/> that it holds the client
    /// key the proof names: a key this cluster knows, signing <paramref name="challenge"/> (the challenge this replica
    /// sent on that connection) and this replica's id.</summary>
    public bool Proves(SessionProof proof, ReadOnlySpan<byte> challenge) =>
        _options.ClientKeys.TryGetValue(ClientIdentity.ClientId(proof.KeyIndex, 0), out var key)
        && proof.Verify(_options.Id.Value, challenge, key);

    /// <summary>
    /// Queues <paramref name="request"/>, which the caller authenticated (<see cref="Refusal"/>, with
    /// <paramref name="signatureChecked"/> false when only its session vouched for it), for ordering;
    /// <paramref name="waiter"/> gets this replica's reply once the replica executed it and made it durable. While a
    /// wedge is in force, a read is answered from the state at the wedge point instead, once the replica is there.
    /// A waiter that stops waiting says so with <see cref="StopWaiting"/>.
    /// </summary>
    /// <exception cref="ReplicaWedgedException">When a wedge is in force and the request is a client write.</exception>
    /// <exception cref="ReplicaBusyException">When <see cref="ClientQueueCapacity"/> requests wait already.</exception>
    public void Order(ClientRequest request, ReplyWaiter waiter, bool signatureChecked = true)
    {
        if (Volatile.Read(ref _status).WedgePoint is { } wedge && !request.Flags.HasFlag(RequestFlags.Operator))
        {
            if (!request.Flags.HasFlag(RequestFlags.ReadOnly))
            {
                throw new ReplicaWedgedException(
                    $"the cluster is wedged at seq {wedge}: writes are refused until 'cairn op unwedge'"
                );
            }

            // Every replica stops at the wedge point, so reads there need no ordering: once this replica is there,
            // answer from the frozen state.
            if (Volatile.Read(ref _status).LastExecuted >= wedge)
            {
                waiter.Deliver(ReadAtWedge(request));
            }
            else
            {
                Enqueue(() => _wedgeWaiters.Add(() => waiter.Deliver(ReadAtWedge(request))));
            }

            return;
        }

        waiter.Queued = _time.GetTimestamp();
        _waiters.Add(request.ClientId, request.RequestId, waiter);
        var received = new ClientRequestReceived(
            request,
            SignatureVerified: signatureChecked,
            SessionAuthenticated: !signatureChecked
        );
        // Only the primary acts on a request at once (it proposes it). A backup notes it, to suspect a primary that
        // leaves it unordered for seconds, and answers it when the PRE-PREPARE that carries it executes: it takes the
        // request with its next group, not in one of its own (every client sends every request to every replica).
        var wake = Volatile.Read(ref _status).Primary == _options.Id;
        if (!_inputs.TryAdd(ClientSource, () => _engine.Handle(received), wake))
        {
            _waiters.Remove(request.ClientId, request.RequestId, waiter);
            throw new ReplicaBusyException(
                $"the replica has {ClientQueueCapacity} client requests waiting to be ordered; retry later"
            );
        }
    }

    /// <summary><paramref name="waiter"/> no longer wants the reply to <paramref name="request"/> (its client hung
    /// up or gave up).</summary>
    public void StopWaiting(ClientRequest request, ReplyWaiter waiter) =>
        _waiters.Remove(request.ClientId, request.RequestId, waiter);

    /// <summary>
    /// Completes, with its sequence number, when this replica's own state matches a stable checkpoint certified by 2f+1
    /// replicas at <paramref name="atLeast"/> or later, and is durable: a restored replica has then caught up to its
    /// peers' stable point (they send their newest certificate, and state transfer brings the replica to it).
    /// </summary>
    public Task<SeqNum> WhenStableAtAsync(SeqNum atLeast, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource<SeqNum>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() => _stableWaiters.Add((atLeast, reached)));
        return reached.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the consensus thread and its clock until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(TimeSpan tickInterval, CancellationToken cancellationToken)
    {
        _running = cancellationToken;
        using var ticker = new PeriodicTimer(tickInterval, _time);
        var ticks = TickAsync(ticker, cancellationToken);
        try
        {
            // The replica starts (and learns the time) before its first input: a PRE-PREPARE that came first would
            // otherwise be judged against the epoch and dropped as badly timed.
            _engine.Handle(new Tick(_time.GetUtcNow()));
            CommitGroup();
            var group = new List<Action>(MaxGroupSize);
            while (true)
            {
                // Group commit: handle what has arrived (up to a bound, each source in turn), make it durable with one
                // fsync, then speak. A full group means more may wait: take it without waiting.
                if (_inputs.Drain(group, MaxGroupSize) < MaxGroupSize)
                {
                    if (group.Count == 0)
                    {
                        await _inputs.WaitAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                foreach (var work in group)
                {
                    work();
                }

                // The replica sees the time after every group, so while messages flow its timers (the batch timeout
                // above all) fire as soon as they are due; the periodic tick only covers idle stretches.
                _engine.Handle(new Tick(_time.GetUtcNow()));
                group.Clear();
                CommitGroup();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }

        await ticks.ConfigureAwait(false);
    }

    private async Task TickAsync(PeriodicTimer ticker, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // Only a wake-up: the group it lands in gives the replica the time (RunAsync). One queued at a time,
                // so a busy consensus thread sees the time when it gets to it, not a backlog.
                if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
                {
                    Enqueue(() => Volatile.Write(ref _tickQueued, 0));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    /// <summary>Makes the group durable (<see cref="ReplicaEngine.Commit"/>), then performs what had to wait for
    /// that: messages to peers, replies to clients, state fetches (persist before speaking).</summary>
    private void CommitGroup()
    {
        foreach (var output in _engine.Commit())
        {
            Speak(output);
        }

        var stable = _engine.LastStableMatched;
        _stableWaiters.RemoveAll(w => stable >= w.AtLeast && w.Reached.TrySetResult(stable));
        var status = _engine.Snapshot();
        Volatile.Write(ref _status, status);
        if (status.WedgePoint is not { } wedge || status.LastExecuted >= wedge)
        {
            _wedgeWaiters.ForEach(w => w());
            _wedgeWaiters.Clear();
        }
    }

    private void Speak(ConsensusOutput output)
    {
        switch (output)
        {
            case Send send:
                _peers.Send(send.To, send.Message.Encode());
                break;
            case Broadcast broadcast:
                _peers.Broadcast(broadcast.Message.Encode());
                break;
            case ReplyToClient reply:
                var waiter = _waiters.Take(reply.ClientId, reply.Reply.RequestId);
                while (waiter is not null)
                {
                    var next = waiter.Next;
                    _metrics.RequestAnswered(_time.GetElapsedTime(waiter.Queued));
                    waiter.Deliver(reply.Reply);
                    waiter = next;
                }

                break;
            case FetchState fetch:
                StartStateTransfer(fetch);
                break;
        }
    }

    private ClientReply ReadAtWedge(ClientRequest request)
    {
        var head = _ledger.Head.LastBlockId;
        KvResult result;
        try
        {
            var operation = KvOperation.Decode(request.Operation.Span);
            result =
                operation.Kind == KvOperationKind.Get
                    ? KvResult.Read(head, _ledger.GetValue(operation.Key))
                    : KvResult.Rejected(head, "a read-only request must be a get");
        }
        catch (Cairn.Core.Encoding.CanonicalEncodingException e)
        {
            result = KvResult.Rejected(head, $"not a key-value operation ({e.Message})");
        }

        return ClientReply.Create(request.ClientId, request.RequestId, result.Encode());
    }
}
