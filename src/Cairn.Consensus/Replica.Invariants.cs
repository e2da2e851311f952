namespace Cairn.Consensus;

/// <summary>
/// The replica's own invariants, checked after every input: a broken one throws <see
/// cref="ConsensusInvariantException"/>
/// (the simulator reports it as a failure with its seed; a host stops the replica) instead of letting it diverge.
/// </summary>
public sealed partial class Replica
{
    private void CheckInvariants()
    {
        Invariant(
            _stableCert is null ? _low == _generation.BaseSeq : _stableCert.Seq == _low,
            "the low water mark is the stable certificate's seq (the generation's base before the first)"
        );
        Invariant(_lastReported <= _lastExecuted, "execution is reported only for what was handed out");
        Invariant(
            _lastExecuted >= _low || _transferCert is not null,
            "a replica behind its stable checkpoint is fetching state"
        );
        Invariant(
            _viewActive || _myViewChange?.TargetView == _view,
            "a view change in progress has this replica's VIEW-CHANGE for that view"
        );
        Invariant(
            !_restoreLearning || _restoreHorizon is null,
            "a replica still learning after a restore has no horizon yet"
        );
        foreach (var (seq, slot) in _slots)
        {
            Invariant(
                slot.Seq.Value == seq && seq > _low.Value,
                "slots live above the low water mark under their own seq"
            );
            Invariant(slot.View <= _view, "no slot is ahead of the replica's view");
            if (slot.View != _view)
            {
                continue;
            }

            Invariant(
                slot.PrePrepare is null || (slot.PrePrepare.View == _view && slot.PrePrepare.Digest == slot.Digest),
                "a slot's digest is its PRE-PREPARE's"
            );
            Invariant(!slot.Prepared || slot.PrePrepare is not null, "a prepared slot has its PRE-PREPARE");
            Invariant(
                slot.Committed is null || slot.PrePrepare is null || slot.Committed.Digest == slot.Digest,
                "a seq is never re-proposed with another digest than the committed one"
            );
            Invariant(
                (slot.MyPrepare is null && slot.MyCommit is null) || MaySign(_view, slot.Seq),
                "no vote at or below the restore horizon"
            );
        }
    }

    private void Invariant(bool holds, string what)
    {
        if (!holds)
        {
            throw new ConsensusInvariantException(
                $"replica {Id} at view {_view} (stable {_low}, executed {_lastExecuted}): broken invariant: {what}"
            );
        }
    }
}
