using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// A replica restored from a checkpoint without the consensus records of the database it replaced (a wiped disk, a
/// database that no longer opens) may have signed, before the restore, PRE-PREPAREs, PREPAREs, COMMITs and VIEW-CHANGEs
/// it no longer remembers; signing again at the same view and sequence number could contradict them (docs/design.md).
/// It starts <em>recovering</em> (a <see cref="RestoreRecord"/> without a horizon): it executes what the others commit,
/// fetches state, and sends STATUS and CHECKPOINT, but signs no PRE-PREPARE, PREPARE, COMMIT, VIEW-CHANGE or NEW-VIEW.
/// It sets a horizon only from what it can verify: STATUS reports from 2f+1 other replicas (so the quorum holds a
/// correct replica that took part in every view and stable checkpoint the restored one could have), each counted only
/// once its claims are proven by a stable certificate and a NEW-VIEW this replica verified itself. The argument is in
/// docs/consensus.md, "After a restore".
/// </summary>
public sealed partial class Replica
{
    private readonly Dictionary<ReplicaId, StatusMessage> _restoreReports = [];
    private bool _restoreLearning;
    private (ViewNum View, SeqNum Seq)? _restoreHorizon;

    /// <summary>True while a restored replica is still learning its peers' view and stable checkpoint (it signs no
    /// votes).</summary>
    public bool IsLearningAfterRestore => _restoreLearning;

    /// <summary>Votes at or below this view and sequence number are withheld after a restore; null when there is
    /// none.</summary>
    public (ViewNum View, SeqNum Seq)? RestoreHorizon => _restoreHorizon;

    /// <summary>
    /// A replica of a generation that a restore of every replica started begins stable at the generation's base, as a
    /// replica at genesis begins at 0; its ledger must hold the base (docs/consensus.md, "Restoring every replica").
    /// </summary>
    private void RecoverGeneration(ReplicaRecovery recovery)
    {
        if ((recovery.Records ?? []).OfType<GenerationRecord>().LastOrDefault() is not { Generation: var generation })
        {
            return;
        }

        if (
            recovery.LastExecuted < generation.BaseSeq
            || (recovery.LastExecuted == generation.BaseSeq && recovery.StateDigest != generation.BaseDigest)
        )
        {
            throw new ConsensusInvariantException(
                $"replica {Id} runs in consensus generation {generation}, but its ledger is at seq "
                    + $"{recovery.LastExecuted} with digest {recovery.StateDigest.ToHex()[..16]}: not the generation's "
                    + "base (restore it again with 'cairn cluster restore')"
            );
        }

        _generation = generation;
        _generationDomain = generation.Domain;
        _low = generation.BaseSeq;
    }

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

    /// <summary>May this replica sign a PRE-PREPARE, PREPARE or COMMIT at <paramref name="view"/>, <paramref
    /// name="seq"/>?</summary>
    private bool MaySign(ViewNum view, SeqNum seq) =>
        !_restoreLearning && (_restoreHorizon is not { } horizon || view > horizon.View || seq > horizon.Seq);

    /// <summary>May this replica sign a VIEW-CHANGE or NEW-VIEW for <paramref name="view"/>?</summary>
    private bool MayChangeViewTo(ViewNum view) =>
        !_restoreLearning && (_restoreHorizon is not { } horizon || view > horizon.View);

    private void LearnFromStatus(StatusMessage status)
    {
        if (_restoreLearning)
        {
            _restoreReports[status.Sender] = status;
            TrySetRestoreHorizon();
        }
    }

    /// <summary>
    /// Sets the horizon once 2f+1 other replicas' reports are proven. The seq horizon is the highest stable certificate
    /// verified here plus the two windows a replica signs above its stable checkpoint; the view horizon is one above
    /// the highest proven view, since a replica can reach the view after the one its peers are in (on f+1 complaints)
    /// and send a VIEW-CHANGE there. Both are
    /// computed with checked arithmetic: a horizon that would overflow is never set, so nothing is ever signed again
    /// rather than something signed twice (it cannot happen without f+1 correct replicas reaching those numbers).
    /// </summary>
    private void TrySetRestoreHorizon()
    {
        if (!_restoreLearning)
        {
            return;
        }

        var proven = _restoreReports.Values.Where(RestoreReportProven).ToList();
        if (proven.Count < Quorums.Quorum(_f))
        {
            return;
        }

        var highestView = proven.Max(s => s.View.Value);
        if (highestView == ulong.MaxValue || _low.Value > ulong.MaxValue - (2 * _window))
        {
            return;
        }

        _restoreHorizon = (new ViewNum(highestView + 1), new SeqNum(_low.Value + (2 * _window)));
        _restoreLearning = false;
        _restoreReports.Clear();
        Persist(new RestoreRecord(_restoreHorizon.Value.View, _restoreHorizon.Value.Seq));
        TryPropose();
    }

    /// <summary>
    /// A STATUS counts once this replica holds the evidence for its claims: a verified stable certificate at or above
    /// the claimed stable seq (peers send theirs to a replica that reports a lower one), and a verified NEW-VIEW at or
    /// above the claimed view (peers send theirs to a replica behind), or the view just above it for a replica that
    /// reports a view change in progress. A claim beyond that (a liar's, or a correct peer's whose proof is still on
    /// its way) is not counted until it is proven, so one Byzantine peer can neither lower nor inflate the horizon.
    /// </summary>
    private bool RestoreReportProven(StatusMessage status) =>
        status.LastStable <= _low
        && (
            status.View <= _view
            || (!status.ViewActive && _view.Value < ulong.MaxValue && status.View.Value == _view.Value + 1)
        );
}
