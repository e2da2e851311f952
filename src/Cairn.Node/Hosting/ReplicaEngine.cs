using Cairn.Backup;
using Cairn.ClientProtocol;
using Cairn.Consensus;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Ledger;
using Cairn.Node.Execution;
using Cairn.Node.Observability;
using Cairn.Operator;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Hosting;

/// <summary>
/// The synchronous part of a replica, with no thread, clock or network of its own: it hands inputs to the sans-I/O
/// consensus <see cref="Replica"/>, executes what it commits against the ledger, takes DB checkpoints at boundaries,
/// installs state-transfer blocks and makes each group of inputs durable with one sync (<see cref="Commit"/>) before
/// handing back what may then be said. <see cref="ReplicaHost"/> drives it from the consensus thread of a server; the
/// simulator drives the same class from virtual time, so what it tests is what the server runs.
/// </summary>
public sealed partial class ReplicaEngine
{
    private const int MaxTransferCertificates = 16;

    private readonly Replica _replica;
    private readonly int _n;
    private readonly BatchExecutor _executor;
    private readonly DbCheckpointManager? _checkpoints;
    private readonly ReplicaOptions _options;
    private SeqNum? _wedgePoint;
    private readonly ConsensusStateStore _consensusState;
    private readonly ILedgerStore _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReplicaMetrics _metrics;
    private readonly List<PersistentRecord> _unflushed = [];
    private SeqNum? _pruneSlotsThrough;
    private readonly List<ConsensusOutput> _group = [];
    private bool _unsynced;
    private StableCheckpointCertificate? _stableCertificate;

    // The consensus time of the last boundary executed here: the pace PrepareForNextBoundary reckons with.
    private DateTimeOffset? _lastBoundaryTime;

    // The stable certificates consensus asked state for (FetchState), above the ledger's head, at most
    // MaxTransferCertificates of the highest: a block installed at one of them is certified state there, even when a
    // newer certificate overtook that transfer and consensus will never announce it (FinaliseIfCertified).
    private readonly SortedList<ulong, StableCheckpointCertificate> _transferCertificates = [];

    /// <param name="checkpoints">Takes DB checkpoints at boundaries and finalises them when stable; null for none
    /// (tests, the simulator).</param>
    public ReplicaEngine(
        ReplicaOptions options,
        ILedgerStore ledger,
        OperatorCommandVerifier operatorVerifier,
        DbCheckpointManager? checkpoints,
        TimeProvider time,
        ILogger logger,
        ReplicaMetrics metrics
    )
    {
        _checkpoints = checkpoints;
        _options = options;
        _ledger = ledger;
        _n = options.N;
        _executor = new BatchExecutor(
            ledger,
            operatorVerifier,
            options.CheckpointWindowSize,
            checkpoints?.Settings ?? new DbCheckpointSettings()
        );
        _wedgePoint = _executor.WedgePoint;
        _consensusState = new ConsensusStateStore(ledger);
        var head = ledger.Head;
        var lastTime =
            head.LastBlockId == BlockId.Genesis ? (DateTimeOffset?)null : ledger.GetBlock(head.LastBlockId)!.Timestamp;
        _replica = new Replica(
            options,
            new ReplicaRecovery(
                _consensusState.Load(),
                head.LastSeqNum,
                head.LastDigest,
                _executor.LatestReplies(),
                lastTime,
                _wedgePoint
            )
        );
        _time = time;
        _logger = logger;
        _metrics = metrics;
        // Gauges start from the recovered state, not from zero, after a restart.
        _metrics.ViewEntered(_replica.View);
        _metrics.StableCheckpoint(_replica.LastStable);
        _stableCertificate = _replica.StableCertificate;
        var status = Snapshot();
        _metrics.Progress(status.LastExecuted, status.Head.LastBlockId, status.Epoch);
    }

    /// <summary>The consensus generation the replica signs in (docs/consensus.md, "Restoring every
    /// replica").</summary>
    public ConsensusGeneration Generation => _replica.Generation;

    /// <summary>The certificate of the newest stable checkpoint (2f+1 signatures over its seq and block digest), or
    /// null before the first; its block may not be in this replica's ledger yet (state transfer). Safe to read from any
    /// thread.</summary>
    public StableCheckpointCertificate? StableCertificate => Volatile.Read(ref _stableCertificate);

    /// <summary>The newest stable checkpoint this replica's own state matched (and made durable at the last
    /// <see cref="Commit"/>).</summary>
    public SeqNum LastStableMatched { get; private set; }

    /// <summary>True while a replica restored without its consensus records still learns its peers' view and stable
    /// checkpoint (it signs no votes); then the votes at or below <see cref="RestoreHorizon"/> stay withheld.</summary>
    public bool LearningAfterRestore => _replica.IsLearningAfterRestore;

    /// <summary>The view and sequence number a restored replica withholds its votes up to, if any.</summary>
    public (ViewNum View, SeqNum Seq)? RestoreHorizon => _replica.RestoreHorizon;

    /// <summary>What consensus dropped since the engine started, by reason.</summary>
    public DropCounters Drops => _replica.Drops;

    /// <summary>The wedge point in force, if any.</summary>
    public SeqNum? WedgePoint => _wedgePoint;

    /// <summary>
    /// Hands <paramref name="input"/> to consensus and does at once what it asks of storage: records are queued for
    /// the group's write, batches executed (consensus hears each execution before anything else), DB checkpoints taken
    /// at boundaries. What is said to others waits for <see cref="Commit"/>.
    /// </summary>
    public void Handle(ConsensusInput input)
    {
        var pending = new Queue<ConsensusInput>();
        pending.Enqueue(input);
        while (pending.TryDequeue(out var next))
        {
            foreach (var output in _replica.Handle(next))
            {
                Perform(output, pending);
            }
        }
    }

    /// <summary>
    /// Makes the group's records and blocks durable in one sync, then returns every output consensus gave since the
    /// last commit, in order. The engine has done the storage part (persist, execute, stable checkpoint); the caller
    /// does the rest, which had to wait for the sync: messages to peers (<see cref="Send"/>, <see cref="Broadcast"/>),
    /// replies to clients (<see cref="ReplyToClient"/>) and fetching state (<see cref="FetchState"/>, then
    /// <see cref="InstallFetchedBlocks"/>).
    /// </summary>
    public IReadOnlyList<ConsensusOutput> Commit()
    {
        if (_unflushed.Count > 0 || _pruneSlotsThrough is not null)
        {
            // The stable record that justifies pruning is in this group or an earlier one: prune in the same write,
            // which syncs the group's blocks too.
            _consensusState.Persist(_unflushed, _pruneSlotsThrough, sync: true);
            _unflushed.Clear();
            _pruneSlotsThrough = null;
        }
        else if (_unsynced)
        {
            _ledger.Sync();
        }

        _unsynced = false;

        var status = Snapshot();
        _metrics.Progress(status.LastExecuted, status.Head.LastBlockId, status.Epoch);
        _metrics.ViewComplaints(status.ViewComplaints);
        var group = _group.ToList();
        _group.Clear();
        return group;
    }

    private void Perform(ConsensusOutput output, Queue<ConsensusInput> pending)
    {
        _group.Add(output);
        switch (output)
        {
            case Persist persist:
                _unflushed.Add(persist.Record);
                break;
            case Send or Broadcast or ReplyToClient:
                break;
            case FetchState fetch:
                RememberTransferCertificate(fetch.Certificate);
                break;
            case LoadBatch load:
                // A record of this group is not written yet: take it from the group.
                var proposal =
                    _unflushed
                        .OfType<ProposalRecord>()
                        .Select(r => r.Proposal)
                        .FirstOrDefault(p => p.Seq == load.Seq && p.Digest == load.Digest)
                    ?? _consensusState.LoadProposal(load.Seq, load.Digest);
                pending.Enqueue(new BatchLoaded(load.To, proposal, load.AsPrePrepare));
                break;
            case Execute execute:
                var started = _time.GetTimestamp();
                var outcome = _executor.Execute(execute);
                pending.Enqueue(outcome.Executed);
                _unsynced = true;
                _metrics.BatchExecuted(execute.Requests.Count, _time.GetElapsedTime(started));
                TakeCheckpointAtBoundary(execute.Seq);
                PrepareForNextBoundary(execute.Seq, execute.ConsensusTime);
                foreach (var effect in outcome.Effects)
                {
                    Apply(effect, pending);
                }

                KeepFillingToWedgePoint(execute.Seq, pending);
                break;
            case StableCheckpoint stable:
                _checkpoints?.OnStable(stable.Seq, stable.Certificate);
                LastStableMatched = stable.Seq;
                Volatile.Write(ref _stableCertificate, stable.Certificate);
                _pruneSlotsThrough = stable.Seq;
                _metrics.StableCheckpoint(stable.Seq);
                NodeLog.StableCheckpoint(_logger, stable.Seq.Value, stable.StateDigest);
                break;
            case ViewEntered view:
                _metrics.ViewEntered(view.View);
                NodeLog.ViewEntered(_logger, view.View.Value, view.Primary.Value);
                break;
            case ViewComplained complained:
                NodeLog.ViewComplained(
                    _logger,
                    complained.View.Value,
                    complained.Primary.Value,
                    complained.Reason switch
                    {
                        ComplaintReason.NoProgress => "nothing executed while work was outstanding",
                        _ => "a request it holds stayed unordered",
                    },
                    complained.Timeout.TotalMilliseconds
                );
                break;
            default:
                throw new InvalidOperationException($"the host does not know consensus output {output.GetType().Name}");
        }
    }

    private void Apply(OperatorEffect effect, Queue<ConsensusInput> pending)
    {
        switch (effect)
        {
            case CheckpointRequested checkpoint:
                // The checkpoint itself follows the mark in the state (TakeCheckpointAtBoundary); here the primary is
                // asked to fill the window up to it, and the memtables start going to disk meanwhile.
                _checkpoints?.PrepareForOrdered();
                pending.Enqueue(new RequestCheckpointSoon(checkpoint.OrderedAt));
                break;
            case WedgeOrdered wedge:
                _wedgePoint = wedge.At;
                NodeLog.WedgeOrdered(_logger, wedge.At.Value);
                pending.Enqueue(new RequestCheckpointSoon(wedge.OrderedAt));
                break;
            case Unwedged unwedged:
                _wedgePoint = null;
                NodeLog.Unwedged(_logger, unwedged.Epoch);
                break;
        }
    }

    /// <summary>Right after a block is appended (before the next one), executed or installed by state transfer: when
    /// the replicated state decided a DB checkpoint at it (the block moved the mark), the manager takes it.</summary>
    private void TakeCheckpointAtBoundary(SeqNum seq)
    {
        if (_checkpoints is null || seq.Value % (ulong)_options.CheckpointWindowSize != 0)
        {
            return;
        }

        var mark = _executor.LastCheckpoint;
        if (mark.Seq != seq)
        {
            return;
        }

        var ordered = _wedgePoint == seq || _executor.CheckpointOrderedAt == seq;
        _checkpoints.TakeAtBoundary(seq, mark.ConsensusTime, _executor.Epoch, ordered);
    }

    /// <summary>At a boundary, with the pace of the window it closed: the checkpoint manager gets ready for a periodic
    /// checkpoint it expects at the next one.</summary>
    private void PrepareForNextBoundary(SeqNum seq, DateTimeOffset consensusTime)
    {
        var window = (ulong)_options.CheckpointWindowSize;
        if (_checkpoints is null || seq.Value % window != 0)
        {
            return;
        }

        if (_lastBoundaryTime is { } previous)
        {
            var expected = consensusTime + (consensusTime - previous);
            _checkpoints.PrepareForBoundary(_executor.LastCheckpoint, new SeqNum(seq.Value + window), expected);
        }

        _lastBoundaryTime = consensusTime;
    }

    /// <summary>A wedge point can be two windows away: at each boundary short of it, ask for the next one to be filled,
    /// so an idle cluster still reaches it.</summary>
    private void KeepFillingToWedgePoint(SeqNum executed, Queue<ConsensusInput> pending)
    {
        if (_wedgePoint is { } wedge && executed < wedge && executed.Value % (ulong)_options.CheckpointWindowSize == 0)
        {
            pending.Enqueue(new RequestCheckpointSoon(executed));
        }
    }

    /// <summary>The replica's state now.</summary>
    public ReplicaStatusSnapshot Snapshot() =>
        new(
            _replica.Id,
            _replica.View,
            Quorums.PrimaryOf(_replica.View, _n),
            _replica.IsViewActive,
            _replica.ComplaintCount,
            _replica.LastExecuted,
            _replica.LastStable,
            _ledger.Head,
            _replica.IsTransferringState,
            _replica.PendingRequestCount,
            _wedgePoint,
            _executor.Epoch,
            _executor.CheckpointOrderedAt,
            _executor.LastCheckpoint.Seq
        );
}
