using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>Normal case: client requests, batching, PRE-PREPARE / PREPARE / COMMIT, in-order execution,
/// replies.</summary>
public sealed partial class Replica
{
    private readonly Dictionary<ulong, PendingRequest> _pending = [];
    private readonly HashSet<(ulong Client, ulong Request)> _proposedKeys = [];
    private readonly Dictionary<ulong, ulong> _lastExecutedRequest = [];
    private readonly Dictionary<ulong, ClientReply> _replyCache = [];
    private long _arrivals;
    private SeqNum _lastProposed;
    private long _lastProposedTs = long.MinValue;

    private void OnClientRequest(ClientRequest request, bool signatureVerified, bool sessionAuthenticated)
    {
        if (!_options.ClientKeys.TryGetValue(request.ClientId, out var key))
        {
            Drop(DropReason.UnknownClient);
            return;
        }

        if (_replyCache.TryGetValue(request.ClientId, out var cached) && cached.RequestId == request.RequestId)
        {
            // A retransmission of an executed request: answer from the cache, never execute again.
            Emit(new ReplyToClient(request.ClientId, cached));
            Drop(DropReason.DuplicateRequest);
            return;
        }

        if (_lastExecutedRequest.TryGetValue(request.ClientId, out var last) && request.RequestId <= last)
        {
            Drop(DropReason.StaleRequest);
            return;
        }

        if (_pending.TryGetValue(request.ClientId, out var pending) && pending.Request.RequestId >= request.RequestId)
        {
            Drop(DropReason.DuplicateRequest);
            return;
        }

        if (Batch.EmptyEncodedLength + Batch.EncodedLengthOf(request.Encoded.Length) > _options.MaxBatchBytes)
        {
            Drop(DropReason.OversizedRequest);
            return;
        }

        if (RefusedByWedge(request))
        {
            Drop(DropReason.Wedged);
            return;
        }

        if (!signatureVerified && !sessionAuthenticated && !request.Verify(key))
        {
            Drop(DropReason.BadSignature);
            return;
        }

        // One outstanding request per client, as in PBFT: a newer one replaces an older pending one.
        var signatureChecked = signatureVerified || !sessionAuthenticated;
        _pending[request.ClientId] = new PendingRequest(request, _now, _arrivals++, signatureChecked);
        if (IsPrimary)
        {
            TryPropose();
        }
        else
        {
            EnsureTimer();
        }
    }

    private void OnRequestCheckpointSoon(SeqNum? after)
    {
        var from = after is { } ordered && ordered > _lastExecuted ? ordered : _lastExecuted;
        var target = ((from.Value / _window) + 1) * _window;
        if (target > _checkpointSoonTarget.Value)
        {
            if (_checkpointSoonTarget <= _lastExecuted)
            {
                _checkpointSoonSince = _now; // a new fill is owed: the primary gets one timeout for it, like a request
            }

            _checkpointSoonTarget = new SeqNum(target);
        }

        TryPropose();
    }

    private void TryPropose()
    {
        if (!IsPrimary || _transferCert is not null || !MaySign(_view, _lastProposed.Next))
        {
            return;
        }

        while (_lastProposed < HighWaterMark)
        {
            // No-ops fill a window towards a checkpoint, never past the wedge point.
            var fill = _checkpointSoonTarget > _lastProposed && !PastWedgePoint(_lastProposed.Next);
            var inFlight = _lastProposed > _lastExecuted ? _lastProposed.Value - _lastExecuted.Value : 0;
            if (!fill && inFlight >= (ulong)_options.ConcurrencyLevel)
            {
                return; // enough batches in flight: the next goes out when one executes, fuller
            }

            var candidates = NextBatch(out var full);
            if (candidates.Count == 0)
            {
                if (!fill)
                {
                    return;
                }

                Propose(Batch.NoOp);
                continue;
            }

            // Adaptive batching: send at once when idle or full; otherwise wait up to BatchTimeout for a fuller batch.
            var idle = _lastProposed <= _lastExecuted;
            var due = candidates[0].Arrived + _options.BatchTimeout <= _now;
            if (!(idle || full || due || fill))
            {
                return;
            }

            if (candidates.Find(c => !c.SignatureChecked) is { } unverified)
            {
                throw new ConsensusInvariantException(
                    $"primary proposing request {unverified.Request.RequestId} of client {unverified.Request.ClientId}"
                        + " with its signature unchecked"
                );
            }

            Propose(new Batch(candidates.Select(c => c.Request)));
        }
    }

    /// <summary>The oldest unproposed requests that fit one batch (count and bytes); <paramref name="full"/> when the
    /// next one would not have fitted.</summary>
    private List<PendingRequest> NextBatch(out bool full)
    {
        CheckPendingSignatures();
        var batch = new List<PendingRequest>();
        var bytes = Batch.EmptyEncodedLength;
        full = false;
        foreach (
            var pending in _pending
                .Values.Where(p =>
                    !_proposedKeys.Contains((p.Request.ClientId, p.Request.RequestId))
                    && p.Request.ClientId != _options.TestOnlyCensoredClient
                )
                .OrderBy(p => p.Order)
        )
        {
            var size = Batch.EncodedLengthOf(pending.Request.Encoded.Length);
            if (batch.Count == _options.MaxBatchSize || bytes + size > _options.MaxBatchBytes)
            {
                full = true;
                break;
            }

            batch.Add(pending);
            bytes += size;
        }

        full |= batch.Count == _options.MaxBatchSize;
        return batch;
    }

    /// <summary>Checks the signature of every pending request that came authenticated by its session only (it arrived
    /// while this replica was a backup, or the host took it for one) and drops those that do not verify. Run before
    /// this replica proposes (a correct primary proposes only requests any replica can verify, so a client that signs
    /// badly cannot make backups that did not see its request refuse a correct primary's batch) and before it
    /// complains that a request went unordered (a correct primary refuses a badly signed one, and a client must not be
    /// able to push the cluster into view changes with it). Neither happens while a view works, so a backup checks
    /// none in the normal case.</summary>
    private void CheckPendingSignatures()
    {
        var sessionOnly = _pending.Values.Where(p => !p.SignatureChecked).ToList();
        foreach (var pending in sessionOnly)
        {
            var request = pending.Request;
            if (request.Verify(_options.ClientKeys[request.ClientId]))
            {
                _pending[request.ClientId] = pending with { SignatureChecked = true };
            }
            else
            {
                _pending.Remove(request.ClientId);
                Drop(DropReason.BadSignature);
            }
        }
    }

    private void Propose(Batch batch)
    {
        var seq = _lastProposed.Next;
        if (!AllowedPastWedgePoint(seq, batch))
        {
            throw new ConsensusInvariantException($"primary proposing client requests at {seq}, past the wedge point");
        }

        var timestamp = Math.Max(_now.ToUnixTimeMilliseconds(), _lastProposedTs);
        _lastProposedTs = timestamp;
        _lastProposed = seq;
        foreach (var request in batch.Requests)
        {
            _proposedKeys.Add((request.ClientId, request.RequestId));
        }

        var prePrepare = Sign(new PrePrepare(_view, seq, timestamp, batch, Id));
        var slot = GetSlot(seq) ?? throw new ConsensusInvariantException($"primary has no slot for {seq}");
        if (slot.PrePrepare is not null)
        {
            throw new ConsensusInvariantException($"primary proposing twice at view {_view} seq {seq}");
        }

        AcceptPrePrepare(slot, prePrepare, announce: true);
    }

    private void AcceptPrePrepare(Slot slot, PrePrepare prePrepare, bool announce)
    {
        prePrepare = WithKnownBatch(slot, prePrepare);
        RememberBatch(slot, prePrepare);
        slot.PrePrepare = prePrepare;
        slot.Digest = prePrepare.Digest;
        PersistSlot(slot);
        if (PrimaryOf(_view) == Id)
        {
            if (announce)
            {
                Broadcast(prePrepare);
            }
        }
        else if (MaySign(_view, slot.Seq))
        {
            slot.MyPrepare = Sign(new Prepare(_view, slot.Seq, slot.Digest, Id));
            slot.Prepares[Id] = slot.MyPrepare;
            Broadcast(slot.MyPrepare);
        }

        if (slot.Committed is { } committed && committed.Digest == slot.Digest)
        {
            CommitAgain(slot);
        }

        if (prePrepare.Batch is null && slot.Seq > _lastExecuted)
        {
            RequestBatch(slot, prePrepare);
        }

        CheckPrepared(slot);
    }

    /// <summary>
    /// A NEW-VIEW re-proposes a seq this replica already committed (PBFT re-runs every seq above the stable
    /// checkpoint). Its COMMIT needs no new prepare round: the seq is committed, so every later view carries this very
    /// digest (docs/consensus.md, "Committed seqs in a new view"). Waiting for 2f PREPAREs instead would leave a
    /// replica
    /// that has not executed the seq yet one COMMIT short for ever, since peers only retransmit to a replica whose
    /// execution is stuck, and this one's is not.
    /// </summary>
    private void CommitAgain(Slot slot)
    {
        if (slot.Prepared || !MaySign(_view, slot.Seq))
        {
            return;
        }

        slot.Prepared = true;
        slot.MyCommit = MyCommit(slot);
        slot.Commits[Id] = slot.MyCommit;
        Broadcast(slot.MyCommit);
    }

    private bool NormalCaseViewOk(ViewNum view)
    {
        if (view < _view)
        {
            Drop(DropReason.StaleView);
            return false;
        }

        if (view > _view)
        {
            Drop(DropReason.FutureView);
            return false;
        }

        if (!_viewActive)
        {
            Drop(DropReason.ViewChangeInProgress);
            return false;
        }

        return true;
    }

    private void OnPrePrepare(PrePrepare prePrepare)
    {
        if (!NormalCaseViewOk(prePrepare.View))
        {
            return;
        }

        if (prePrepare.Sender != PrimaryOf(_view))
        {
            Drop(DropReason.WrongSender);
            return;
        }

        if (!InWindow(prePrepare.Seq))
        {
            Drop(DropReason.OutOfWindow);
            return;
        }

        var slot = GetSlot(prePrepare.Seq)!;
        var digest = prePrepare.Digest;
        if (slot.PrePrepare is not null)
        {
            Drop(slot.Digest == digest ? DropReason.Duplicate : DropReason.Equivocation);
            return;
        }

        if (!Authentic(prePrepare))
        {
            return;
        }

        if (
            Math.Abs((double)prePrepare.TimestampMs - _now.ToUnixTimeMilliseconds())
            > _options.ConsensusTimeBound.TotalMilliseconds
        )
        {
            Drop(DropReason.BadTimestamp);
            return;
        }

        if (prePrepare.Batch is not { } batch || !BatchValid(batch))
        {
            Drop(DropReason.BadBatch);
            return;
        }

        if (!AllowedPastWedgePoint(prePrepare.Seq, batch))
        {
            Drop(DropReason.PastWedgePoint);
            return;
        }

        AcceptPrePrepare(slot, prePrepare, announce: false);
        EnsureTimer();
    }

    private bool BatchValid(Batch batch)
    {
        if (batch.Requests.Count > _options.MaxBatchSize || batch.EncodedLength > _options.MaxBatchBytes)
        {
            return false;
        }

        foreach (var request in batch.Requests)
        {
            if (!_options.ClientKeys.TryGetValue(request.ClientId, out var key))
            {
                return false;
            }

            // A request we verified on arrival, or the host verified with the batch, needs no second check.
            var known =
                ReferenceEquals(batch, _verifiedBatch)
                || _pending.TryGetValue(request.ClientId, out var pending) && pending.Request.Digest == request.Digest;
            if (!known && !request.Verify(key))
            {
                return false;
            }
        }

        return true;
    }

    private void OnPrepare(Prepare prepare)
    {
        if (!NormalCaseViewOk(prepare.View))
        {
            return;
        }

        if (prepare.Sender == PrimaryOf(_view))
        {
            Drop(DropReason.WrongSender);
            return;
        }

        if (!InWindow(prepare.Seq))
        {
            Drop(DropReason.OutOfWindow);
            return;
        }

        var slot = GetSlot(prepare.Seq)!;
        if (slot.Prepares.TryGetValue(prepare.Sender, out var existing))
        {
            Drop(existing.Digest == prepare.Digest ? DropReason.Duplicate : DropReason.Equivocation);
            return;
        }

        if (!Authentic(prepare))
        {
            return;
        }

        slot.Prepares[prepare.Sender] = prepare;
        CheckPrepared(slot);
    }

    private void OnCommit(Commit commit)
    {
        if (!NormalCaseViewOk(commit.View))
        {
            return;
        }

        if (!InWindow(commit.Seq))
        {
            Drop(DropReason.OutOfWindow);
            return;
        }

        var slot = GetSlot(commit.Seq)!;
        if (slot.Commits.TryGetValue(commit.Sender, out var existing))
        {
            Drop(existing.Digest == commit.Digest ? DropReason.Duplicate : DropReason.Equivocation);
            return;
        }

        if (!Authentic(commit))
        {
            return;
        }

        if (commit.GenerationDomain != _generationDomain)
        {
            Drop(DropReason.OtherGeneration);
            return;
        }

        slot.Commits[commit.Sender] = commit;
        CheckCommitted(slot);
    }

    private void CheckPrepared(Slot slot)
    {
        if (slot.Prepared || slot.PrePrepare is null)
        {
            return;
        }

        var primary = PrimaryOf(_view);
        var matching = slot
            .Prepares.Values.Where(p => p.Digest == slot.Digest && p.Sender != primary)
            .OrderBy(p => p.Sender.Value)
            .Take(PrepareQuorum) // exactly a quorum: the proof's size is part of the message bound
            .ToList();
        if (matching.Count < PrepareQuorum)
        {
            return;
        }

        slot.Prepared = true;
        slot.Proof = new PreparedProof(slot.PrePrepare, matching);
        var vote = MaySign(_view, slot.Seq);
        if (vote)
        {
            slot.MyCommit = MyCommit(slot);
            slot.Commits[Id] = slot.MyCommit;
        }

        PersistSlot(slot); // the proof is what we promise in a VIEW-CHANGE; durable before the COMMIT leaves
        if (vote)
        {
            Broadcast(slot.MyCommit!);
        }

        CheckCommitted(slot);
    }

    private void CheckCommitted(Slot slot)
    {
        if (slot.IsCommitted || !slot.Prepared)
        {
            return;
        }

        if (slot.Commits.Values.Count(c => c.Digest == slot.Digest) < CommitQuorum)
        {
            return;
        }

        slot.Committed = slot.PrePrepare;
        PersistSlot(slot);
        TryExecute();
    }

    private void TryExecute()
    {
        if (_transferCert is not null)
        {
            return;
        }

        var advanced = false;
        while (TryGetSlot(_lastExecuted.Value + 1, out var slot) && slot.Committed is { } header)
        {
            // A seq committed from a NEW-VIEW header executes once its batch is here.
            var committed = WithKnownBatch(slot, header);
            if (committed.Batch is not { } batch)
            {
                RequestBatch(slot, committed);
                break;
            }

            slot.Committed = committed;
            var fresh = new List<ClientRequest>(batch.Requests.Count);
            foreach (var request in batch.Requests)
            {
                if (!_lastExecutedRequest.TryGetValue(request.ClientId, out var last) || request.RequestId > last)
                {
                    fresh.Add(request);
                    _lastExecutedRequest[request.ClientId] = request.RequestId;
                }

                if (
                    _pending.TryGetValue(request.ClientId, out var pending)
                    && pending.Request.RequestId <= request.RequestId
                )
                {
                    _pending.Remove(request.ClientId);
                }

                _proposedKeys.Remove((request.ClientId, request.RequestId));
            }

            _lastConsensusTimeMs = Math.Max(_lastConsensusTimeMs, committed.TimestampMs);
            _lastExecuted = slot.Seq;
            Emit(new Execute(slot.Seq, batch, ConsensusTime(_lastConsensusTimeMs), fresh));
            ForgetExecutedBatch(slot, committed);
            advanced = true;
        }

        if (advanced)
        {
            if (_viewActive)
            {
                _viewChangeAttempts = 0; // this view works: back to the base timeout
            }

            // Progress: restart the timer if work remains, stop it otherwise.
            _timerDeadline =
                _viewActive && HasOutstandingWork() ? _now + CurrentTimeout()
                : _viewActive ? null
                : _timerDeadline;
            TryPropose();
            ReportEarlyIfBehind();
        }
    }

    /// <summary>A timestamp as a time, clamped into DateTimeOffset's range the same way at every replica.</summary>
    private static DateTimeOffset ConsensusTime(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(unixMs, MinUnixMs, MaxUnixMs));

    private static readonly long MinUnixMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private void OnBatchExecuted(BatchExecuted executed)
    {
        if (executed.Seq <= _lastReported || executed.Seq > _lastExecuted)
        {
            Drop(DropReason.UnexpectedExecution);
            return;
        }

        _lastReported = executed.Seq;
        SetWedgePoint(executed.WedgePoint);
        foreach (var reply in executed.Replies ?? [])
        {
            if (reply is null)
            {
                continue;
            }

            if (!_replyCache.TryGetValue(reply.ClientId, out var cached) || cached.RequestId <= reply.RequestId)
            {
                _replyCache[reply.ClientId] = reply;
            }

            Emit(new ReplyToClient(reply.ClientId, reply));
        }

        if (executed.Seq.Value % _window == 0)
        {
            OnOwnCheckpoint(executed.Seq, executed.StateDigestAfter);
        }
    }

    private void RestoreReplies(IReadOnlyList<ClientReply>? replies)
    {
        foreach (var reply in replies ?? [])
        {
            if (reply is null)
            {
                continue;
            }

            if (!_lastExecutedRequest.TryGetValue(reply.ClientId, out var last) || reply.RequestId > last)
            {
                _lastExecutedRequest[reply.ClientId] = reply.RequestId;
                _replyCache[reply.ClientId] = reply;
            }

            if (_pending.TryGetValue(reply.ClientId, out var pending) && pending.Request.RequestId <= reply.RequestId)
            {
                _pending.Remove(reply.ClientId);
            }
        }
    }

    /// <summary>
    /// PBFT's per-request timer: a backup that has held a request (or an owed checkpoint fill) unexecuted for a full
    /// timeout since it arrived, or since this view began if it arrived earlier, suspects the primary. Unlike the
    /// progress timer it is not reset when other batches execute, so a primary that keeps ordering no-ops or other
    /// clients' requests cannot starve one client for ever (docs/consensus.md, "Censorship").
    /// </summary>
    private bool RequestOverdue()
    {
        if (!_viewActive || PrimaryOf(_view) == Id || _transferCert is not null)
        {
            return false;
        }

        // A fill is owed up to the target, but never past the wedge point.
        var fillOwed = _checkpointSoonTarget > _lastExecuted && !PastWedgePoint(_lastExecuted.Next);
        DateTimeOffset? oldest = fillOwed ? _checkpointSoonSince : null;
        foreach (var pending in _pending.Values)
        {
            if (oldest is null || pending.Arrived < oldest)
            {
                oldest = pending.Arrived;
            }
        }

        if (oldest is not { } since)
        {
            return false;
        }

        var waitingSince = since > _viewSince ? since : _viewSince;
        return _now - waitingSince >= CurrentTimeout();
    }

    private void EnsureTimer()
    {
        if (_timerDeadline is null && _viewActive)
        {
            _timerDeadline = _now + CurrentTimeout();
        }
    }

    /// <summary>A request waiting to be ordered; <paramref name="SignatureChecked"/> once its signature was checked
    /// (false while only its session vouches for it).</summary>
    private sealed record PendingRequest(
        ClientRequest Request,
        DateTimeOffset Arrived,
        long Order,
        bool SignatureChecked
    );
}
