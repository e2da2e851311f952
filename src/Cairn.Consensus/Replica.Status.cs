using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// Retransmission: each replica broadcasts a STATUS periodically; peers answer with what it is missing. This is what
/// makes the protocol live under message loss without per-message acknowledgements.
/// </summary>
public sealed partial class Replica
{
    // Slots re-sent per STATUS from a peer stuck at one executed seq, or that took in the previous ones re-sent.
    private const int RetransmitSlots = 16;

    // Per peer: the last executed seq its STATUS reported, and since when (this replica's clock) it reports that seq.
    private readonly Dictionary<ReplicaId, (SeqNum Executed, DateTimeOffset Since)> _peerExecuted = [];

    // Per peer being retransmitted to: the last seq re-sent, while the peer is still behind this replica after it.
    private readonly Dictionary<ReplicaId, SeqNum> _retransmittedThrough = [];

    private void OnStatus(StatusMessage status)
    {
        if (!Authentic(status))
        {
            return;
        }

        LearnFromStatus(status);
        var peer = status.Sender;
        if (status.LastStable < _low && _stableCert is not null)
        {
            foreach (var checkpoint in _stableCert.ToMessages())
            {
                SendTo(peer, checkpoint);
            }
        }

        var peerBehindView = status.View < _view || (status.View == _view && !status.ViewActive);
        if (peerBehindView && _viewActive && _lastNewView is not null)
        {
            SendTo(peer, _lastNewView);
        }
        else if (
            peerBehindView
            && !_viewActive
            && _myViewChange is not null
            && _myViewChange.TargetView == _view
            && MayChangeViewTo(_view)
        )
        {
            SendTo(peer, _myViewChange);
        }

        ResendComplaint(status);
        if (status.View != _view || !status.ViewActive || !_viewActive || status.LastExecuted < _low)
        {
            return;
        }

        // Re-send votes to a peer stuck at the same point for half an interval (in-flight slots are not worth
        // re-sending: two close STATUS of a slow peer are not enough), and go on with the next slots as soon as it took
        // in all that was re-sent, while it is still behind this replica's executed seqs: a restarted replica then
        // catches up a window at the pace it executes, not a chunk a second.
        var known = _peerExecuted.TryGetValue(peer, out var previous) && previous.Executed == status.LastExecuted;
        var stuck = known && _now - previous.Since >= _options.StatusInterval / 2;
        var tookInRetransmission =
            _retransmittedThrough.TryGetValue(peer, out var through) && status.LastExecuted >= through;
        if (!known)
        {
            _peerExecuted[peer] = (status.LastExecuted, _now);
        }

        if (stuck || tookInRetransmission)
        {
            Retransmit(peer, status.LastExecuted);
        }
    }

    /// <summary>Re-sends to <paramref name="peer"/> the proposal and this replica's votes of up to
    /// <see cref="RetransmitSlots"/> slots above <paramref name="peerExecuted"/>, and remembers how far, while the peer
    /// is still behind this replica's executed seqs after them.</summary>
    private void Retransmit(ReplicaId peer, SeqNum peerExecuted)
    {
        var last = peerExecuted;
        foreach (var slot in _slots.Values.Where(s => s.Seq > peerExecuted && s.View == _view).Take(RetransmitSlots))
        {
            if (slot.PrePrepare is { Batch: not null })
            {
                SendTo(peer, slot.PrePrepare); // a header came in the NEW-VIEW the peer has
            }
            else if (slot.PrePrepare is { } header && slot.PersistedBodies.Contains(header.Digest))
            {
                Emit(new LoadBatch(peer, slot.Seq, header.Digest, AsPrePrepare: true)); // executed here: batch on disk
            }

            if (slot.MyPrepare is not null)
            {
                SendTo(peer, slot.MyPrepare);
            }

            if (slot.MyCommit is not null)
            {
                SendTo(peer, slot.MyCommit);
            }

            last = slot.Seq;
        }

        if (last < _lastExecuted)
        {
            _retransmittedThrough[peer] = last;
        }
        else
        {
            _retransmittedThrough.Remove(peer);
        }
    }

    /// <summary>
    /// A replica that has executed all it holds, with no PRE-PREPARE for the next seq, while f + 1 peers report
    /// executing beyond it (so a correct one did: it misses what they executed) sends its STATUS early: the peers that
    /// retransmitted to it send the next slots on that STATUS. At most ten STATUS per interval, so a liar's report
    /// cannot make a replica broadcast at every execution.
    /// </summary>
    /// <remarks>A replica that holds the next PRE-PREPARE is slow, not missing anything (under load on a busy machine
    /// it can lag its peers by a window's worth): reporting early would only make its peers find it stuck between two
    /// close STATUS messages and re-send slots already on their way, which costs it more CPU and makes it lag more.
    /// </remarks>
    private void ReportEarlyIfBehind()
    {
        if (!_viewActive || (_slots.TryGetValue(_lastExecuted.Value + 1, out var next) && next.PrePrepare is not null))
        {
            return;
        }

        var peersAhead = 0;
        foreach (var (executed, _) in _peerExecuted.Values)
        {
            if (executed > _lastExecuted)
            {
                peersAhead++;
            }
        }

        if (peersAhead > _f)
        {
            var early = _lastStatusAt + (_options.StatusInterval / 10);
            if (early < _nextStatusAt)
            {
                _nextStatusAt = early;
            }
        }
    }
}
