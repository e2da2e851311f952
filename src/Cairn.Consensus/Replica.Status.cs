using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// Retransmission: each replica broadcasts a STATUS periodically; peers answer with what it is missing. This is what
/// makes the protocol live under message loss without per-message acknowledgements.
/// </summary>
public sealed partial class Replica
{
    // Slots re-sent per STATUS from a peer that made no progress since its previous STATUS.
    private const int RetransmitSlots = 16;

    private readonly Dictionary<ReplicaId, SeqNum> _peerExecuted = [];

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

        // Re-send votes only to a peer stuck at the same point twice: in-flight slots are not worth re-sending.
        var stuck = _peerExecuted.TryGetValue(peer, out var previous) && previous == status.LastExecuted;
        _peerExecuted[peer] = status.LastExecuted;
        if (!stuck)
        {
            return;
        }

        foreach (
            var slot in _slots.Values.Where(s => s.Seq > status.LastExecuted && s.View == _view).Take(RetransmitSlots)
        )
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
        }
    }
}
