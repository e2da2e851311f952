using System.Collections.Concurrent;
using System.Threading.Channels;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Execution;
using Cairn.Node.Observability;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// Drives the sans-I/O consensus <see cref="Replica"/> from one thread: inputs (peer messages, client requests, ticks)
/// arrive on a channel; outputs are performed in order — persist (synced) before anything that depends on it is sent,
/// execute into the ledger, send to peers, answer waiting clients.
/// </summary>
public sealed class ReplicaHost
{
    private readonly Replica _replica;
    private readonly int _n;
    private readonly KvExecutor _executor;
    private readonly ConsensusStateStore _consensusState;
    private readonly ILedgerStore _ledger;
    private readonly IPeerSender _peers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReplicaMetrics _metrics;
    private readonly Channel<ConsensusInput> _inbox = Channel.CreateUnbounded<ConsensusInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(ulong Client, ulong Request), TaskCompletionSource<ClientReply>> _waiters = new();
    private readonly List<PersistentRecord> _unflushed = [];
    private ReplicaStatusSnapshot _status;

    public ReplicaHost(ReplicaOptions options, ILedgerStore ledger, IPeerSender peers, TimeProvider time, ILogger logger, ReplicaMetrics metrics)
    {
        _ledger = ledger;
        _n = options.N;
        _executor = new KvExecutor(ledger);
        _consensusState = new ConsensusStateStore(ledger);
        var head = ledger.Head;
        var lastTime = head.LastBlockId == BlockId.Genesis ? (DateTimeOffset?)null : ledger.GetBlock(head.LastBlockId)!.Timestamp;
        _replica = new Replica(options, new ReplicaRecovery(_consensusState.Load(), head.LastSeqNum, head.LastDigest, _executor.LatestReplies(), lastTime));
        _peers = peers;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        StartedAt = time.GetUtcNow();
        _status = Snapshot();
    }

    /// <summary>When this host was created.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The replica's state after the last input it handled.</summary>
    public ReplicaStatusSnapshot Status => Volatile.Read(ref _status);

    /// <summary>Queues an input for the consensus thread.</summary>
    public void Post(ConsensusInput input) => _inbox.Writer.TryWrite(input);

    /// <summary>Orders <paramref name="request"/> and returns this replica's signed reply once it executed it.</summary>
    public async Task<ClientReply> SubmitAsync(ClientRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var waiter = _waiters.GetOrAdd((request.ClientId, request.RequestId),
            _ => new TaskCompletionSource<ClientReply>(TaskCreationOptions.RunContinuationsAsynchronously));
        Post(new ClientRequestReceived(request));
        try
        {
            var reply = await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _metrics.RequestAnswered(_time.GetElapsedTime(started));
            return reply;
        }
        finally
        {
            if (waiter.Task.IsCompleted || cancellationToken.IsCancellationRequested)
            {
                _waiters.TryRemove(new KeyValuePair<(ulong, ulong), TaskCompletionSource<ClientReply>>((request.ClientId, request.RequestId), waiter));
            }
        }
    }

    /// <summary>Runs the consensus thread and its clock until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(TimeSpan tickInterval, CancellationToken cancellationToken)
    {
        using var ticker = new PeriodicTimer(tickInterval, _time);
        var ticks = TickAsync(ticker, cancellationToken);
        try
        {
            await foreach (var input in _inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Process(input);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await ticks.ConfigureAwait(false);
    }

    private async Task TickAsync(PeriodicTimer ticker, CancellationToken cancellationToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Post(new Tick(_time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Process(ConsensusInput first)
    {
        var pending = new Queue<ConsensusInput>();
        pending.Enqueue(first);
        while (pending.TryDequeue(out var input))
        {
            foreach (var output in _replica.Handle(input))
            {
                if (output is Persist persist)
                {
                    _unflushed.Add(persist.Record);
                    continue;
                }

                FlushPersisted();
                Perform(output, pending);
            }

            FlushPersisted();
        }

        var status = Snapshot();
        Volatile.Write(ref _status, status);
        _metrics.Progress(status.LastExecuted, status.Head.LastBlockId);
    }

    private void Perform(ConsensusOutput output, Queue<ConsensusInput> pending)
    {
        switch (output)
        {
            case Send send:
                _peers.Send(send.To, send.Message.Encode());
                break;
            case Broadcast broadcast:
                _peers.Broadcast(broadcast.Message.Encode());
                break;
            case Execute execute:
                var started = _time.GetTimestamp();
                pending.Enqueue(_executor.Execute(execute));
                _metrics.BatchExecuted(execute.Requests.Count, _time.GetElapsedTime(started));
                break;
            case ReplyToClient reply:
                if (_waiters.TryRemove((reply.ClientId, reply.Reply.RequestId), out var waiter))
                {
                    waiter.TrySetResult(reply.Reply);
                }

                break;
            case StableCheckpoint stable:
                _consensusState.PruneSlotsThrough(stable.Seq);
                _metrics.StableCheckpoint(stable.Seq);
                NodeLog.StableCheckpoint(_logger, stable.Seq.Value, stable.StateDigest);
                break;
            case ViewEntered view:
                _metrics.ViewEntered(view.View);
                NodeLog.ViewEntered(_logger, view.View.Value, view.Primary.Value);
                break;
            case FetchState fetch:
                NodeLog.StateTransferNeeded(_logger, fetch.TargetSeq.Value, _ledger.Head.LastSeqNum.Value);
                break;
            default:
                throw new InvalidOperationException($"the host does not know consensus output {output.GetType().Name}");
        }
    }

    private void FlushPersisted()
    {
        if (_unflushed.Count == 0)
        {
            return;
        }

        _consensusState.Persist(_unflushed);
        _unflushed.Clear();
    }

    private ReplicaStatusSnapshot Snapshot() => new(
        _replica.Id, _replica.View, Quorums.PrimaryOf(_replica.View, _n), _replica.IsViewActive,
        _replica.LastExecuted, _replica.LastStable, _ledger.Head, _replica.IsTransferringState, _replica.PendingRequestCount);
}
