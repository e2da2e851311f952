using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// The replica's own invariants, checked after every input: a broken one throws <see
/// cref="ConsensusInvariantException"/>
/// (the simulator reports it as a failure with its seed; a host stops the replica) instead of letting it diverge.
/// </summary>
/// <remarks>
/// The replica-wide ones are checked after every input; a slot's, after every input that reached the slot
/// (<see cref="TryGetSlot"/>, <see cref="GetSlot"/>). Every slot is checked when the view, the low water mark or the
/// restore horizon moved, and after every <see cref="AllSlotsCheckedEvery"/> inputs whatever happened: checking all
/// of a window's slots after each input took about 3 % of the primary's CPU under load (docs/benchmarks-history.md,
/// "Invariants checked where an input reached").
/// </remarks>
public sealed partial class Replica
{
    private const int AllSlotsCheckedEvery = 64;

    private readonly List<Slot> _touchedSlots = [];
    private (ViewNum View, SeqNum Low, bool Learning, (ViewNum, SeqNum)? Horizon)? _allSlotsCheckedUnder;
    private int _inputsSinceAllSlotsChecked;

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
        var under = (_view, _low, _restoreLearning, _restoreHorizon);
        if (_allSlotsCheckedUnder != under || ++_inputsSinceAllSlotsChecked >= AllSlotsCheckedEvery)
        {
            foreach (var (seq, slot) in _slots)
            {
                Invariant(slot.Seq.Value == seq, "slots live under their own seq");
                CheckSlot(slot);
            }

            _allSlotsCheckedUnder = under;
            _inputsSinceAllSlotsChecked = 0;
        }
        else
        {
            foreach (var slot in _touchedSlots)
            {
                // A slot reached by this input may have left the window since (a stable checkpoint drops it).
                if (_slots.TryGetValue(slot.Seq.Value, out var held) && ReferenceEquals(held, slot))
                {
                    CheckSlot(slot);
                }
            }
        }

        _touchedSlots.Clear();
    }

    private void CheckSlot(Slot slot)
    {
        Invariant(slot.Seq > _low, "slots live above the low water mark");
        Invariant(slot.View <= _view, "no slot is ahead of the replica's view");
        if (slot.View != _view)
        {
            return;
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
