using System.Diagnostics.CodeAnalysis;
using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Crypto;
using Cairn.Core.Encoding;

namespace Cairn.Consensus;

/// <summary>
/// A PBFT (Castro–Liskov) replica as a pure state machine: <see cref="Handle"/> takes one input and returns the
/// outputs the host must perform, in order. No clock, thread, socket or randomness inside; time arrives as
/// <see cref="Tick"/>. Untrusted input never throws: it is dropped and counted in <see cref="Drops"/>.
/// </summary>
public sealed partial class Replica
{
    private readonly ReplicaOptions _options;
    private readonly IReadOnlyList<VerificationKey> _keys;
    private readonly int _n;
    private readonly int _f;
    private readonly ulong _window;
    private List<ConsensusOutput> _outputs = [];

    // True while handling a MessageReceived whose top-level signature the host already checked.
    private bool _signatureVerified;

    // The transport peer of the message being handled: what authenticates a message that travels unsigned.
    private ReplicaId? _link;

    // The batch of that message when the host checked its client requests' signatures too.
    private Batch? _verifiedBatch;

    private DateTimeOffset _now = DateTimeOffset.UnixEpoch;
    private bool _started;
    private DateTimeOffset? _timerDeadline;
    private DateTimeOffset _nextStatusAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastStatusAt = DateTimeOffset.MinValue;
    private DateTimeOffset _viewSince;

    private ViewNum _view;
    private bool _viewActive = true;
    private SeqNum _low;
    private StableCheckpointCertificate? _stableCert;
    private ConsensusGeneration _generation;
    private Digest _generationDomain = ConsensusGeneration.Genesis.Domain; // what this replica's COMMITs name
    private readonly SortedDictionary<ulong, Slot> _slots = [];

    private SeqNum _lastExecuted;
    private long _lastConsensusTimeMs = long.MinValue;
    private SeqNum _lastReported;

    /// <summary>Creates a replica at genesis, or from persisted state after a restart.</summary>
    public Replica(ReplicaOptions options, ReplicaRecovery? recovery = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keys = options.ReplicaKeys;
        _n = options.N;
        _f = options.F;
        _window = (ulong)options.CheckpointWindowSize;
        if (recovery is not null)
        {
            Recover(recovery);
        }
    }

    /// <summary>This replica's id.</summary>
    public ReplicaId Id => _options.Id;

    /// <summary>The current view (while changing views, the view being changed to).</summary>
    public ViewNum View => _view;

    /// <summary>False while a view change is in progress.</summary>
    public bool IsViewActive => _viewActive;

    /// <summary>True when this replica leads the active view.</summary>
    public bool IsPrimary => _viewActive && PrimaryOf(_view) == Id;

    /// <summary>The last sequence number handed to the host for execution.</summary>
    public SeqNum LastExecuted => _lastExecuted;

    /// <summary>The last stable sequence number (the low water mark).</summary>
    public SeqNum LastStable => _low;

    /// <summary>The consensus generation every signature of this replica binds (<see cref="GenerationRecord"/>;
    /// <see cref="ConsensusGeneration.Genesis"/> unless every replica was restored from one checkpoint).</summary>
    public ConsensusGeneration Generation => _generation;

    /// <summary>The certificate of <see cref="LastStable"/>, null at the start of the generation.</summary>
    public StableCheckpointCertificate? StableCertificate => _stableCert;

    /// <summary>True while waiting for <see cref="StateTransferCompleted"/>.</summary>
    public bool IsTransferringState => _transferCert is not null;

    /// <summary>Inputs dropped, by reason.</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>Client requests waiting to be ordered.</summary>
    public int PendingRequestCount => _pending.Count;

    /// <summary>Handles one input and returns the outputs to perform, in order.</summary>
    public IReadOnlyList<ConsensusOutput> Handle(ConsensusInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _outputs = [];
        try
        {
            switch (input)
            {
                case Tick tick:
                    OnTick(tick.Now);
                    break;
                case ClientRequestReceived { Request: not null } request:
                    OnClientRequest(request.Request, request.SignatureVerified, request.SessionAuthenticated);
                    break;
                case MessageReceived { Message: not null } message:
                    _link = message.From;
                    _signatureVerified = message.SignatureVerified;
                    _verifiedBatch = message.RequestsVerified ? (message.Message as PrePrepare)?.Batch : null;
                    OnMessage(message.Message);
                    break;
                case RawMessageReceived raw:
                    _link = raw.From;
                    if (ConsensusMessage.TryDecode(raw.Bytes.Span, out var decoded))
                    {
                        OnMessage(decoded!);
                    }
                    else
                    {
                        Drop(DropReason.Malformed);
                    }

                    break;
                case BatchExecuted executed:
                    OnBatchExecuted(executed);
                    break;
                case BatchLoaded loaded:
                    OnBatchLoaded(loaded);
                    break;
                case StateTransferCompleted completed:
                    OnStateTransferCompleted(completed);
                    break;
                case RequestCheckpointSoon soon:
                    OnRequestCheckpointSoon(soon.After);
                    break;
                default:
                    Drop(DropReason.Malformed);
                    break;
            }
        }
        catch (CanonicalEncodingException)
        {
            Drop(DropReason.Malformed);
        }
        finally
        {
            _link = null;
            _signatureVerified = false;
            _verifiedBatch = null;
        }

        CheckInvariants();
        return _outputs;
    }

    private void OnMessage(ConsensusMessage message)
    {
        if ((uint)message.Sender.Value >= (uint)_n)
        {
            Drop(DropReason.UnknownSender);
            return;
        }

        if (message.Sender == Id)
        {
            // Our own message reflected back (a relay or a forged copy): we already hold the original.
            Drop(DropReason.Duplicate);
            return;
        }

        switch (message)
        {
            case PrePrepare { Batch: not null } prePrepare:
                OnPrePrepare(prePrepare);
                break;
            case Prepare prepare:
                OnPrepare(prepare);
                break;
            case Commit commit:
                OnCommit(commit);
                break;
            case CheckpointMessage checkpoint:
                OnCheckpoint(checkpoint);
                break;
            case ViewChange { Proofs: not null } viewChange:
                OnViewChange(viewChange);
                break;
            case NewView { ViewChanges: not null, PrePrepares: not null } newView:
                OnNewView(newView);
                break;
            case StatusMessage status:
                OnStatus(status);
                break;
            case FetchBatch fetch:
                OnFetchBatch(fetch);
                break;
            case BatchBody { Batch: not null } body:
                OnBatchBody(body);
                break;
            case ViewComplaint complaint:
                OnViewComplaint(complaint);
                break;
            default:
                Drop(DropReason.Malformed);
                break;
        }
    }

    private void OnTick(DateTimeOffset now)
    {
        if (now > _now)
        {
            _now = now;
        }

        if (!_started)
        {
            _started = true;
            _viewSince = _now;
            OnStart();
        }

        if (_timerDeadline is { } deadline && _now >= deadline && !_viewActive)
        {
            // The view change to the next primary failed to finish in time (2f+1 replicas wanted it): the next one.
            StartViewChange(_view.Next);
        }
        else if (_timerDeadline is { } due && _now >= due)
        {
            // The primary failed to make progress in time: ask to leave the view, which starts the view change once
            // f+1 replicas ask. Only for requests whose signatures this replica checked: one its client's session
            // vouched for may carry a bad signature, which a correct primary refuses to propose.
            CheckPendingSignatures();
            if (HasOutstandingWork())
            {
                ComplainAboutView(ComplaintReason.NoProgress);
            }
            else
            {
                _timerDeadline = null;
            }
        }
        else if (RequestOverdue())
        {
            // It makes progress, but left a request this backup holds unordered for a whole timeout: the same.
            CheckPendingSignatures();
            if (RequestOverdue())
            {
                ComplainAboutView(ComplaintReason.RequestUnordered);
            }
        }

        RetryStateTransfer();
        RetryMissingBatch();
        TrySetRestoreHorizon();
        TryPropose();
        if (_now >= _nextStatusAt)
        {
            _lastStatusAt = _now;
            _nextStatusAt = _now + _options.StatusInterval;
            Broadcast(Sign(new StatusMessage(_view, _viewActive, _low, _lastExecuted, Id)));
        }
    }

    private void OnStart()
    {
        if (_stableCert is not null && _lastExecuted < _stableCert.Seq)
        {
            StartStateTransfer(_stableCert);
        }

        TryExecute();
        if (_viewActive && HasOutstandingWork())
        {
            _timerDeadline = _now + CurrentTimeout();
        }

        ArmViewChangeTimer();
    }

    private Slot RecoveredSlot(SeqNum seq, SlotRecord record, IEnumerable<PrePrepare> proposals)
    {
        var slot = new Slot(seq, _view) { Proof = record.Proof };
        foreach (var proposal in proposals)
        {
            slot.PersistedBodies.Add(proposal.Digest);
            if (seq > _lastExecuted)
            {
                RememberBatch(slot, proposal); // an executed seq's batch stays on disk (LoadBatch)
            }
        }

        if (record.Accepted is { } accepted)
        {
            RememberBatch(slot, accepted);
        }

        if (record.Committed is { } committed)
        {
            RememberBatch(slot, committed);
            slot.Committed = WithKnownBatch(slot, committed);
        }

        return slot;
    }

    private ReplicaId PrimaryOf(ViewNum view) => Quorums.PrimaryOf(view, _n);

    private SeqNum HighWaterMark => new(_low.Value + (2 * _window));

    private bool InWindow(SeqNum seq) => seq > _low && seq <= HighWaterMark;

    private int CommitQuorum => _options.TestOnlyQuorumOverride ?? Quorums.Quorum(_f);

    private int PrepareQuorum => (_options.TestOnlyQuorumOverride ?? Quorums.Quorum(_f)) - 1;

    private T Sign<T>(T message)
        where T : ConsensusMessage => (T)message.SignWith(_options.SigningKey, _generation);

    private Commit MyCommit(Slot slot) => new(_view, slot.Seq, slot.Digest, _generationDomain, Id);

    private bool Authentic(ConsensusMessage message)
    {
        if (message.TravelsUnsigned)
        {
            // Only its sender sends it, and the transport peer is authenticated by its pinned certificate.
            if (_link == message.Sender)
            {
                return true;
            }

            Drop(DropReason.NotFromSender);
            return false;
        }

        if (_signatureVerified || message.VerifySignature(_keys[message.Sender.Value], _generation))
        {
            return true;
        }

        Drop(DropReason.BadSignature);
        return false;
    }

    private void Drop(DropReason reason) => Drops.Increment(reason);

    private void Emit(ConsensusOutput output) => _outputs.Add(output);

    private void Broadcast(ConsensusMessage message) => Emit(new Broadcast(message));

    private void SendTo(ReplicaId to, ConsensusMessage message) => Emit(new Send(to, message));

    private void Persist(PersistentRecord record) => Emit(new Persist(record));

    /// <summary>Persists <paramref name="slot"/>'s record, after the batch of each whole proposal it names that is not
    /// durable yet (in the same group commit, so the record never names a batch the disk lacks).</summary>
    private void PersistSlot(Slot slot)
    {
        foreach (var proposal in (ReadOnlySpan<PrePrepare?>)[slot.PrePrepare, slot.Committed])
        {
            if (proposal?.Batch is not null && slot.PersistedBodies.Add(proposal.Digest))
            {
                Persist(new ProposalRecord(proposal));
            }
        }

        Persist(slot.ToRecord());
    }

    private Slot? GetSlot(SeqNum seq)
    {
        if (!TryGetSlot(seq.Value, out var slot))
        {
            slot = new Slot(seq, _view);
            _slots[seq.Value] = slot;
            _touchedSlots.Add(slot);
        }
        else if (slot.View < _view)
        {
            slot.ResetForView(_view);
        }

        return slot.View == _view ? slot : null;
    }

    /// <summary>The slot of <paramref name="seq"/>, if this replica holds one, noted for the invariant check that ends
    /// this input (Replica.Invariants.cs). Every access that may change a slot goes through here or
    /// <see cref="GetSlot"/>.</summary>
    private bool TryGetSlot(ulong seq, [MaybeNullWhen(false)] out Slot slot)
    {
        if (!_slots.TryGetValue(seq, out slot))
        {
            return false;
        }

        _touchedSlots.Add(slot);
        return true;
    }

    private TimeSpan CurrentTimeout()
    {
        var factor = Math.Pow(2, Math.Min(_viewChangeAttempts, 16));
        var timeout = TimeSpan.FromTicks(
            (long)Math.Min(_options.ViewChangeTimeout.Ticks * factor, _options.MaxViewChangeTimeout.Ticks)
        );
        return timeout;
    }

    private bool HasOutstandingWork() =>
        _pending.Count > 0
        || _slots.Values.Any(s => s.Seq > _lastExecuted && (s.PrePrepare is not null || s.IsCommitted));

    private void Recover(ReplicaRecovery recovery)
    {
        RecoverGeneration(recovery);
        var slotRecords = new SortedDictionary<ulong, SlotRecord>();
        var proposals = new Dictionary<ulong, List<PrePrepare>>();
        NewView? newView = null;
        foreach (var record in recovery.Records ?? [])
        {
            switch (record)
            {
                case NewViewRecord entered:
                    newView = entered.NewView;
                    break;
                case ViewRecord view when view.View >= _view:
                    _view = view.View;
                    _viewActive = view.Active;
                    break;
                case StableCheckpointRecord { Certificate: { } certificate } when certificate.Seq > _low:
                    _stableCert = certificate;
                    _low = certificate.Seq;
                    break;
                case SlotRecord slot:
                    slotRecords[slot.Seq.Value] = slot;
                    break;
                case ProposalRecord { Proposal: var proposal }:
                    if (!proposals.TryGetValue(proposal.Seq.Value, out var atSeq))
                    {
                        proposals[proposal.Seq.Value] = atSeq = [];
                    }

                    atSeq.Add(proposal);
                    break;
                case RestoreRecord restore:
                    RecoverRestore(restore);
                    break;
            }
        }

        _lastNewView = _viewActive && newView?.View == _view ? newView : null;
        _lastExecuted = recovery.LastExecuted;
        _lastReported = recovery.LastExecuted;
        if (recovery.LastConsensusTime is { } time)
        {
            _lastConsensusTimeMs = time.ToUnixTimeMilliseconds();
        }

        RestoreReplies(recovery.LatestReplies);
        SetWedgePoint(recovery.WedgePoint);
        if (_lastExecuted.Value % _window == 0 && _lastExecuted.Value > 0)
        {
            _ownDigests[_lastExecuted.Value] = recovery.StateDigest;
        }

        var primary = PrimaryOf(_view);
        foreach (var (seqValue, record) in slotRecords)
        {
            var seq = new SeqNum(seqValue);
            if (seq <= _low)
            {
                continue;
            }

            // Executed seqs too (not yet under a stable checkpoint): their proof must still go into this replica's
            // VIEW-CHANGEs, or a new view could give the seq another batch (a no-op) that replicas which had not
            // executed it yet would run instead; and their proposal and votes are what a peer still behind gets
            // retransmitted (after a whole-cluster restart nobody else has them).
            var slot = RecoveredSlot(seq, record, proposals.GetValueOrDefault(seqValue) ?? []);
            if (record.Accepted is { } accepted && accepted.View == _view)
            {
                slot.PrePrepare = WithKnownBatch(slot, accepted);
                slot.Digest = accepted.Digest;
                // What was accepted without a vote (at or below a restore horizon) stays without one.
                var mayVote = MaySign(_view, seq);
                if (primary != Id && mayVote)
                {
                    slot.MyPrepare = Sign(new Prepare(_view, seq, slot.Digest, Id));
                    slot.Prepares[Id] = slot.MyPrepare;
                }

                if (
                    mayVote
                    && record.Proof is { } proof
                    && proof.PrePrepare.View == _view
                    && proof.PrePrepare.Digest == slot.Digest
                )
                {
                    slot.Prepared = true;
                    slot.MyCommit = MyCommit(slot);
                    slot.Commits[Id] = slot.MyCommit;
                }

                _lastProposedTs = Math.Max(_lastProposedTs, accepted.TimestampMs);
                _lastProposed = seq > _lastProposed ? seq : _lastProposed;
            }

            _slots[seqValue] = slot;
        }

        if (_lastProposed < _lastExecuted)
        {
            _lastProposed = _lastExecuted;
        }

        if (_lastProposed < _low)
        {
            _lastProposed = _low;
        }

        if (!_viewActive)
        {
            _viewChangeAttempts = 1;
            _myViewChange = BuildViewChange(_view);
            _viewChanges[Id] = _myViewChange;
        }
    }
}
