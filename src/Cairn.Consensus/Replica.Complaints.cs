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
    private readonly Dictionary<ReplicaId, ViewComplaint> _complaints = [];
    private ViewNum _complaintsView;
    private ViewComplaint? _myComplaint;

    /// <summary>The replicas that complained about the current view (this one included).</summary>
    public int ComplaintCount => CurrentComplaints().Count;

    private void ComplainAboutView()
    {
        if (!_viewActive || _myComplaint?.View == _view)
        {
            return;
        }

        _myComplaint = Sign(new ViewComplaint(_view, Id));
        CurrentComplaints()[Id] = _myComplaint;
        Broadcast(_myComplaint);
        LeaveViewOnComplaints();
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

        var complaints = CurrentComplaints();
        if (complaints.ContainsKey(complaint.Sender))
        {
            Drop(DropReason.Duplicate);
            return;
        }

        if (!Authentic(complaint))
        {
            return;
        }

        complaints[complaint.Sender] = complaint;
        LeaveViewOnComplaints();
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

    private void LeaveViewOnComplaints()
    {
        if (_viewActive && CurrentComplaints().Count >= Quorums.ReplyQuorum(_f))
        {
            StartViewChange(_view.Next);
        }
    }

    /// <summary>The complaints about the current view; those about an earlier view are forgotten.</summary>
    private Dictionary<ReplicaId, ViewComplaint> CurrentComplaints()
    {
        if (_complaintsView != _view)
        {
            _complaints.Clear();
            _complaintsView = _view;
        }

        return _complaints;
    }
}
