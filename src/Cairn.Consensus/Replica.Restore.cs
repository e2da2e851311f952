using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A replica restored from a checkpoint without the consensus records of the database it replaced (a wiped disk, a
/// database that no longer opens) may have signed, before the restore, PRE-PREPAREs, PREPAREs, COMMITs and VIEW-CHANGEs
/// it no longer remembers; signing again at the same view and sequence number could contradict them (docs/design.md).
/// It starts <em>recovering</em> (a <see cref="RestoreRecord"/> without a horizon): it executes what the others commit,
/// fetches state, and sends STATUS and CHECKPOINT, but signs no PRE-PREPARE, PREPARE, COMMIT, VIEW-CHANGE or NEW-VIEW.
/// Once STATUS messages from 2f peers (2f + 1 replicas with itself, so at least one correct replica that joined every
/// view and stable checkpoint the restored replica could have taken part in) have arrived, it sets a horizon: the
/// highest view reported, and the highest stable sequence number reported plus the two windows a replica signs above
/// its stable checkpoint. It persists the horizon and from then on signs only in later views or above that sequence number.
/// </summary>
public sealed partial class Replica
{
    private readonly Dictionary<ReplicaId, StatusMessage> _restoreReports = [];
    private bool _restoreLearning;
    private (ViewNum View, SeqNum Seq)? _restoreHorizon;

    /// <summary>True while a restored replica is still learning its peers' view and stable checkpoint (it signs no votes).</summary>
    public bool IsLearningAfterRestore => _restoreLearning;

    /// <summary>Votes at or below this view and sequence number are withheld after a restore; null when there is none.</summary>
    public (ViewNum View, SeqNum Seq)? RestoreHorizon => _restoreHorizon;

    private void RecoverRestore(RestoreRecord record)
    {
        if (record.HorizonView is { } view)
        {
            _restoreHorizon = (view, record.HorizonSeq ?? SeqNum.Zero);
        }
        else
        {
            _restoreLearning = true;
        }
    }

    /// <summary>May this replica sign a PRE-PREPARE, PREPARE or COMMIT at <paramref name="view"/>, <paramref name="seq"/>?</summary>
    private bool MaySign(ViewNum view, SeqNum seq) =>
        !_restoreLearning && (_restoreHorizon is not { } horizon || view > horizon.View || seq > horizon.Seq);

    /// <summary>May this replica sign a VIEW-CHANGE or NEW-VIEW for <paramref name="view"/>?</summary>
    private bool MayChangeViewTo(ViewNum view) =>
        !_restoreLearning && (_restoreHorizon is not { } horizon || view > horizon.View);

    private void LearnFromStatus(StatusMessage status)
    {
        if (!_restoreLearning)
        {
            return;
        }

        _restoreReports[status.Sender] = status;
        if (_restoreReports.Count < 2 * _f)
        {
            return;
        }

        var view = _restoreReports.Values.Select(s => s.View).Append(_view).Max();
        var stable = _restoreReports.Values.Select(s => s.LastStable).Append(_low).Max();
        _restoreHorizon = (view, new SeqNum(stable.Value + (2 * _window)));
        _restoreLearning = false;
        _restoreReports.Clear();
        Persist(new RestoreRecord(view, _restoreHorizon.Value.Seq));
        TryPropose();
    }
}
