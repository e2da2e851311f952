using System.Diagnostics.Metrics;
using Cairn.Core;

namespace Cairn.Node.Observability;

/// <summary>The replica's metrics on the <c>Cairn.Consensus</c> meter, exported at <c>/metrics</c> in Prometheus
/// format.</summary>
public sealed class ReplicaMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Cairn.Consensus";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _batches;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _peerDrops;
    private readonly Counter<long> _admitted;
    private readonly Counter<long> _peerUnsent;
    private readonly Histogram<double> _executeSeconds;
    private readonly Histogram<double> _requestSeconds;
    private long _view;
    private int _viewComplaints;
    private long _stableSeq;
    private long _lastExecuted;
    private long _lastBlock;
    private long _epoch;

    public ReplicaMetrics()
    {
        _batches = _meter.CreateCounter<long>("batches_executed", description: "Batches executed (one block each).");
        _requests = _meter.CreateCounter<long>("requests_executed", description: "Client requests executed.");
        _admitted = _meter.CreateCounter<long>(
            "client_requests_admitted",
            description: "Client requests admitted, by how they were authenticated: signature (checked on admission) "
                + "or session (a backup took the word of a session connection whose client proved its key)."
        );
        _peerDrops = _meter.CreateCounter<long>(
            "peer_messages_dropped",
            description: "Peer messages dropped before consensus, by reason: malformed, unknown_sender, "
                + "bad_signature, queue_full."
        );
        _peerUnsent = _meter.CreateCounter<long>(
            "peer_messages_unsent",
            description: "Messages for a peer dropped before they were sent, by peer and reason: queue_full, "
                + "peer_unreachable."
        );
        _executeSeconds = _meter.CreateHistogram<double>(
            "batch_execute_seconds",
            "s",
            "Time to execute a batch and append its block."
        );
        _requestSeconds = _meter.CreateHistogram<double>(
            "client_request_seconds",
            "s",
            "Time from a client request's arrival to this replica's reply."
        );
        _meter.CreateObservableGauge("view", () => Interlocked.Read(ref _view), description: "Current view.");
        _meter.CreateObservableGauge(
            "view_complaints",
            () => Volatile.Read(ref _viewComplaints),
            description: "Replicas (this one included) that asked to leave the current view; f+1 start the view change."
        );
        _meter.CreateObservableGauge(
            "stable_seq",
            () => Interlocked.Read(ref _stableSeq),
            description: "Last stable sequence number."
        );
        _meter.CreateObservableGauge(
            "last_executed_seq",
            () => Interlocked.Read(ref _lastExecuted),
            description: "Last executed sequence number."
        );
        _meter.CreateObservableGauge(
            "last_block_id",
            () => Interlocked.Read(ref _lastBlock),
            description: "Last block id in the ledger."
        );
        _meter.CreateObservableGauge(
            "epoch",
            () => Interlocked.Read(ref _epoch),
            description: "Epoch: how many times the cluster was unwedged."
        );
    }

    public void BatchExecuted(int requests, TimeSpan elapsed)
    {
        _batches.Add(1);
        _requests.Add(requests);
        _executeSeconds.Record(elapsed.TotalSeconds);
    }

    public void RequestAdmitted(bool signatureChecked) =>
        _admitted.Add(1, new KeyValuePair<string, object?>("by", signatureChecked ? "signature" : "session"));

    public void PeerMessageDropped(string reason) =>
        _peerDrops.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PeerMessagesUnsent(ReplicaId peer, string reason, int count) =>
        _peerUnsent.Add(
            count,
            new KeyValuePair<string, object?>("peer", peer.Value),
            new KeyValuePair<string, object?>("reason", reason)
        );

    public void RequestAnswered(TimeSpan elapsed) => _requestSeconds.Record(elapsed.TotalSeconds);

    public void ViewEntered(ViewNum view) => Interlocked.Exchange(ref _view, (long)view.Value);

    public void ViewComplaints(int complaints) => Volatile.Write(ref _viewComplaints, complaints);

    public void StableCheckpoint(SeqNum seq) => Interlocked.Exchange(ref _stableSeq, (long)seq.Value);

    public void Progress(SeqNum lastExecuted, BlockId lastBlock, ulong epoch)
    {
        Interlocked.Exchange(ref _epoch, (long)epoch);
        Interlocked.Exchange(ref _lastExecuted, (long)lastExecuted.Value);
        Interlocked.Exchange(ref _lastBlock, (long)lastBlock.Value);
    }

    public void Dispose() => _meter.Dispose();
}
