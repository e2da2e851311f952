using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;

namespace Cairn.Consensus;

/// <summary>
/// View-change complaints, as in Concord: a replica whose timer expires in an active view asks to leave it (a signed
/// VIEW-COMPLAINT) and stays, still voting and catching up; every replica starts the view change once f+1 replicas
/// complained about its view, so at least one correct replica saw the primary fail. A replica that timed out only
/// because it lagged behind (restarted, restored, slow) stays in the view its peers serve instead of waiting alone in
/// a view change that nobody else has a reason to join (docs/consensus.md, "View-change complaints").
/// </summary>
public sealed partial class Replica
{
    private readonly HashSet<ReplicaId> _complainers = [];
    private ViewNum _complaintsView;
    private ViewComplaint? _myComplaint;

    /// <summary>The replicas that complained about the current view (this one included).</summary>
    public int ComplaintCount => CurrentComplainers().Count;

    private void ComplainAboutView(ComplaintReason reason)
    {
        if (!_viewActive || _myComplaint?.View == _view)
        {
            return;
        }

        _myComplaint = Sign(new ViewComplaint(_view, Id));
        Emit(new ViewComplained(_view, PrimaryOf(_view), reason, CurrentTimeout()));
        Broadcast(_myComplaint);
        CountComplaint(Id);
    }

    private void OnViewComplaint(ViewComplaint complaint)
    {
        if (complaint.View < _view)
        {
            Drop(DropReason.StaleView);
            return;
        }

        if (complaint.View > _view)
        {
            Drop(DropReason.FutureView); // its sender re-sends it when our STATUS shows us in that view
            return;
        }

        if (!_viewActive)
        {
            Drop(DropReason.ViewChangeInProgress);
            return;
        }

        if (CurrentComplainers().Contains(complaint.Sender))
        {
            Drop(DropReason.Duplicate);
            return;
        }

        if (Authentic(complaint))
        {
            CountComplaint(complaint.Sender);
        }
    }

    /// <summary>
    /// Counts <paramref name="sender"/> as complaining about the current view and starts the view change at f+1. A
    /// valid VIEW-CHANGE for a later view counts too: its sender has left this view, and its complaint may have been
    /// lost on the way (it re-sends only the VIEW-CHANGE once it has left).
    /// </summary>
    private void CountComplaint(ReplicaId sender)
    {
        if (!_viewActive)
        {
            return;
        }

        var complainers = CurrentComplainers();
        complainers.Add(sender);
        if (complainers.Count >= Quorums.ReplyQuorum(_f))
        {
            StartViewChange(_view.Next);
        }
    }

    /// <summary>Re-sends this replica's complaint to a peer that reports the same active view (messages get
    /// lost).</summary>
    private void ResendComplaint(StatusMessage status)
    {
        if (_viewActive && status.ViewActive && status.View == _view && _myComplaint?.View == _view)
        {
            SendTo(status.Sender, _myComplaint);
        }
    }

    /// <summary>The replicas that complained about the current view; complaints about an earlier view are
    /// forgotten.</summary>
    private HashSet<ReplicaId> CurrentComplainers()
    {
        if (_complaintsView != _view)
        {
            _complainers.Clear();
            _complaintsView = _view;
        }

        return _complainers;
    }
}
