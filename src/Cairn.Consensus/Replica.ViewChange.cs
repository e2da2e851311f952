using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>View change: VIEW-CHANGE on timeout, NEW-VIEW from the next primary, prepared requests carried
/// over.</summary>
public sealed partial class Replica
{
    private readonly Dictionary<ReplicaId, ViewChange> _viewChanges = [];
    private readonly HashSet<Digest> _verifiedViewChanges = [];
    private readonly Dictionary<ReplicaId, ViewNum> _newViewSentTo = [];
    private int _viewChangeAttempts;
    private ViewChange? _myViewChange;
    private NewView? _lastNewView;

    private void StartViewChange(ViewNum target)
    {
        if (target < _view || (target == _view && !_viewActive) || !MayChangeViewTo(target))
        {
            return;
        }

        _view = target;
        _viewActive = false;
        _viewChangeAttempts++;
        Persist(new ViewRecord(target, Active: false)); // never go back to an older view after a restart
        _myViewChange = BuildViewChange(target);
        _viewChanges[Id] = _myViewChange;
        Broadcast(_myViewChange);
        _timerDeadline = null;
        ArmViewChangeTimer();
        TryNewView();
    }

    /// <summary>
    /// As in PBFT, the timer for a new view starts only once 2f+1 replicas want it: a replica alone in a view change
    /// waits there instead of escalating views the others would have to climb through.
    /// </summary>
    private void ArmViewChangeTimer()
    {
        if (
            !_viewActive
            && _timerDeadline is null
            && _viewChanges.Values.Count(v => v.TargetView == _view) >= Quorums.Quorum(_f)
        )
        {
            _timerDeadline = _now + CurrentTimeout();
        }
    }

    private ViewChange BuildViewChange(ViewNum target)
    {
        var proofs = _slots.Values.Where(s => s.Seq > _low && s.Proof is not null).Select(s => s.Proof!).ToList();
        return Sign(new ViewChange(target, _stableCert, proofs, Id));
    }

    private void OnViewChange(ViewChange viewChange)
    {
        if (viewChange.TargetView < _view || (viewChange.TargetView == _view && _viewActive))
        {
            // The sender is behind: it missed our NEW-VIEW. Answer once per view.
            if (
                _viewActive
                && _lastNewView is not null
                && (!_newViewSentTo.TryGetValue(viewChange.Sender, out var sent) || sent < _view)
            )
            {
                _newViewSentTo[viewChange.Sender] = _view;
                SendTo(viewChange.Sender, _lastNewView);
            }

            Drop(DropReason.StaleView);
            return;
        }

        if (
            _viewChanges.TryGetValue(viewChange.Sender, out var existing)
            && existing.TargetView >= viewChange.TargetView
        )
        {
            Drop(DropReason.Duplicate);
            return;
        }

        if (!Authentic(viewChange))
        {
            return;
        }

        if (!ViewChangeValid(viewChange))
        {
            Drop(DropReason.BadViewChange);
            return;
        }

        _viewChanges[viewChange.Sender] = viewChange;
        if (viewChange.TargetView > _view)
        {
            // f+1 replicas want a higher view, so at least one correct one does: join the smallest such view.
            var higher = _viewChanges.Values.Where(v => v.TargetView > _view).ToList();
            if (higher.Count >= Quorums.ReplyQuorum(_f))
            {
                StartViewChange(higher.Min(v => v.TargetView));
            }
            else
            {
                CountComplaint(viewChange.Sender);
            }
        }
        else
        {
            ArmViewChangeTimer();
            TryNewView();
        }
    }

    private bool ViewChangeValid(ViewChange viewChange)
    {
        var cacheKey = Digest.Compute(viewChange.Encode());
        if (_verifiedViewChanges.Contains(cacheKey))
        {
            return true;
        }

        if (
            viewChange.Stable is { } stable
            && (
                stable.Seq.Value == 0
                || stable.Seq.Value % _window != 0
                || stable.Signatures.Count > Quorums.Quorum(_f)
                || !stable.Verify(_keys, _f, _generation)
            )
        )
        {
            return false;
        }

        var low = (viewChange.Stable?.Seq ?? _generation.BaseSeq).Value;
        var seqs = new HashSet<ulong>();
        foreach (var proof in viewChange.Proofs)
        {
            if (
                proof?.PrePrepare is not { } pp
                || pp.Seq.Value <= low
                || pp.Seq.Value > low + (2 * _window)
                || pp.View >= viewChange.TargetView
                || proof.Prepares.Count > Quorums.PrepareQuorum(_f)
                || !seqs.Add(pp.Seq.Value)
                || !proof.Verify(_keys, _f, _generation)
            )
            {
                return false;
            }
        }

        if (_verifiedViewChanges.Count > 1024)
        {
            _verifiedViewChanges.Clear();
        }

        _verifiedViewChanges.Add(cacheKey);
        return true;
    }

    private void TryNewView()
    {
        if (_viewActive || PrimaryOf(_view) != Id || _myViewChange is null || !MayChangeViewTo(_view))
        {
            return;
        }

        var others = _viewChanges
            .Values.Where(v => v.TargetView == _view && v.Sender != Id)
            .OrderBy(v => v.Sender.Value)
            .ToList();
        if (others.Count + 1 < Quorums.Quorum(_f))
        {
            return;
        }

        var viewChanges = new List<ViewChange> { _myViewChange };
        viewChanges.AddRange(others.Take(Quorums.Quorum(_f) - 1));
        var timestamp = Math.Max(_now.ToUnixTimeMilliseconds(), _lastProposedTs);
        var plan = PlanNewView(viewChanges, timestamp, _generation.BaseSeq, out _);
        var prePrepares = plan.Select(p => Sign(PrePrepare.Header(_view, p.Seq, p.TimestampMs, p.Digest, Id))).ToList();
        var newView = Sign(new NewView(_view, timestamp, viewChanges, prePrepares, Id));
        var start = _outputs.Count;
        EnterView(newView);

        // Persist before speak: the NEW-VIEW promises its re-proposals, so the active view and their slot records are
        // durable before it leaves, and it leaves before anything this replica says in the new view.
        var entered = _outputs.GetRange(start, _outputs.Count - start);
        _outputs.RemoveRange(start, entered.Count);
        _outputs.AddRange(entered.Where(o => o is global::Cairn.Consensus.Persist));
        Broadcast(newView);
        _outputs.AddRange(entered.Where(o => o is not global::Cairn.Consensus.Persist));
    }

    /// <summary>
    /// The PRE-PREPAREs a set of VIEW-CHANGEs implies (PBFT's O set): for every seq above the highest stable
    /// checkpoint (or the generation's base, <paramref name="baseSeq"/>) up to the highest prepared seq, the batch
    /// prepared in the highest view, or a no-op for a gap. Deterministic, so backups recompute and compare it.
    /// </summary>
    private static List<(SeqNum Seq, long TimestampMs, Digest Digest)> PlanNewView(
        IReadOnlyList<ViewChange> viewChanges,
        long timestampMs,
        SeqNum baseSeq,
        out StableCheckpointCertificate? stable
    )
    {
        stable = viewChanges.Select(v => v.Stable).Where(s => s is not null).MaxBy(s => s!.Seq.Value);
        var minSeq = (stable?.Seq ?? baseSeq).Value;
        var best = new SortedDictionary<ulong, PrePrepare>();
        foreach (var proof in viewChanges.SelectMany(v => v.Proofs))
        {
            var pp = proof.PrePrepare;
            if (pp.Seq.Value > minSeq && (!best.TryGetValue(pp.Seq.Value, out var current) || pp.View > current.View))
            {
                best[pp.Seq.Value] = pp;
            }
        }

        var maxSeq = best.Count == 0 ? minSeq : best.Keys.Max();
        var plan = new List<(SeqNum, long, Digest)>();
        var noOp = Batch.NoOp.ProposalDigest(timestampMs);
        for (var seq = minSeq + 1; seq <= maxSeq; seq++)
        {
            plan.Add(
                best.TryGetValue(seq, out var pp)
                    ? (new SeqNum(seq), pp.TimestampMs, pp.Digest)
                    : (new SeqNum(seq), timestampMs, noOp)
            );
        }

        return plan;
    }

    private void OnNewView(NewView newView)
    {
        if (newView.View < _view || (newView.View == _view && _viewActive))
        {
            Drop(newView.View == _view ? DropReason.Duplicate : DropReason.StaleView);
            return;
        }

        if (newView.Sender != PrimaryOf(newView.View))
        {
            Drop(DropReason.WrongSender);
            return;
        }

        if (!Authentic(newView))
        {
            return;
        }

        if (!NewViewValid(newView))
        {
            Drop(DropReason.BadNewView);
            return;
        }

        EnterView(newView);
    }

    private bool NewViewValid(NewView newView)
    {
        // Gap no-ops take the NEW-VIEW's timestamp; it may be old (a retransmission) but not in the future.
        if (newView.TimestampMs - (double)_now.ToUnixTimeMilliseconds() > _options.ConsensusTimeBound.TotalMilliseconds)
        {
            return false;
        }

        var senders = new HashSet<int>();
        foreach (var viewChange in newView.ViewChanges)
        {
            if (
                viewChange?.Proofs is null
                || viewChange.TargetView != newView.View
                || (uint)viewChange.Sender.Value >= (uint)_n
                || !senders.Add(viewChange.Sender.Value)
            )
            {
                return false;
            }

            var known = _verifiedViewChanges.Contains(Digest.Compute(viewChange.Encode()));
            if (
                !known
                && (
                    !viewChange.VerifySignature(_keys[viewChange.Sender.Value], _generation)
                    || !ViewChangeValid(viewChange)
                )
            )
            {
                return false;
            }
        }

        // Exactly a quorum, as a correct primary sends: the NEW-VIEW's size is part of the message bound.
        if (senders.Count != Quorums.Quorum(_f))
        {
            return false;
        }

        var plan = PlanNewView(newView.ViewChanges, newView.TimestampMs, _generation.BaseSeq, out _);
        if (plan.Count != newView.PrePrepares.Count)
        {
            return false;
        }

        var primaryKey = _keys[newView.Sender.Value];
        for (var i = 0; i < plan.Count; i++)
        {
            var pp = newView.PrePrepares[i];
            if (
                pp is null
                || pp.View != newView.View
                || pp.Sender != newView.Sender
                || pp.Seq != plan[i].Seq
                || pp.TimestampMs != plan[i].TimestampMs
                || pp.Digest != plan[i].Digest
                || !pp.VerifySignature(primaryKey, _generation)
            )
            {
                return false;
            }
        }

        return true;
    }

    private void EnterView(NewView newView)
    {
        _view = newView.View;
        _viewActive = true;
        _viewSince = _now; // a request that waited under the old primary gets a full timeout under the new one
        _lastNewView = newView; // the doubled timeout stays until this view executes something (PBFT)
        Persist(new ViewRecord(_view, Active: true));
        Persist(new NewViewRecord(newView));
        Emit(new ViewEntered(_view, PrimaryOf(_view)));
        foreach (var sender in _viewChanges.Where(kv => kv.Value.TargetView <= _view).Select(kv => kv.Key).ToList())
        {
            _viewChanges.Remove(sender);
        }

        PlanNewView(newView.ViewChanges, newView.TimestampMs, _generation.BaseSeq, out var stable);
        if (stable is not null)
        {
            MakeStable(stable);
        }

        foreach (var slot in _slots.Values)
        {
            slot.ResetForView(_view);
        }

        var maxSeq = _low;
        foreach (var pp in newView.PrePrepares)
        {
            if (pp.Seq > maxSeq)
            {
                maxSeq = pp.Seq;
            }

            if (!InWindow(pp.Seq))
            {
                continue;
            }

            var slot = GetSlot(pp.Seq)!;
            if (slot.Committed is { } committed && committed.Digest != pp.Digest)
            {
                throw new ConsensusInvariantException(
                    $"new view {_view} re-proposes seq {pp.Seq} with a digest other than the committed one"
                );
            }

            AcceptPrePrepare(slot, pp, announce: false);
        }

        _lastProposed = maxSeq > _lastExecuted ? maxSeq : _lastExecuted;
        _lastProposedTs = Math.Max(_lastProposedTs, newView.TimestampMs);
        RebuildProposedKeys();
        _timerDeadline = HasOutstandingWork() ? _now + CurrentTimeout() : null;
        TryExecute();
        TryPropose();
    }

    private void RebuildProposedKeys()
    {
        _proposedKeys.Clear();
        foreach (var slot in _slots.Values.Where(s => s.Seq > _lastExecuted))
        {
            foreach (var request in (slot.Committed ?? slot.PrePrepare)?.Batch?.Requests ?? [])
            {
                _proposedKeys.Add((request.ClientId, request.RequestId));
            }
        }
    }
}
