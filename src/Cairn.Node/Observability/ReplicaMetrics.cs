using Cairn.Core;
using Prometheus;

namespace Cairn.Node.Observability;

/// <summary>
/// The replica's metrics, exported at <c>/metrics</c> in Prometheus format as <c>cairn_consensus_…</c>
/// (docs/metrics.md). prometheus-net's own instruments, not a .NET meter bridged by its MeterAdapter: two of them are
/// recorded for every client request on every replica, and the bridge's per-measurement lookups cost a few per cent
/// of a replica's CPU under load (docs/benchmarks-history.md, "Metrics without the meter bridge"), where these cost an
/// interlocked add. They live in prometheus-net's default registry, so replicas hosted in one process (tests) share
/// them.
/// </summary>
public sealed class ReplicaMetrics
{
    private const string Prefix = "cairn_consensus_";

    /// <summary>Seconds, doubling from 10 ms to about 46 hours: the buckets the meter bridge gave these histograms, so
    /// dashboards and recorded series keep their <c>le</c> values.</summary>
    private static readonly double[] SecondsBuckets = Histogram.ExponentialBuckets(0.01, 2, 25);

    private readonly Counter _batches = Metrics.CreateCounter(
        Prefix + "batches_executed",
        "Batches executed (one block each)."
    );

    private readonly Counter _requests = Metrics.CreateCounter(
        Prefix + "requests_executed",
        "Client requests executed."
    );

    private readonly Counter _admitted = Metrics.CreateCounter(
        Prefix + "client_requests_admitted",
        "Client requests admitted, by how they were authenticated: signature (checked on admission) or session (a "
            + "backup took the word of a session connection whose client proved its key).",
        "by"
    );

    private readonly Counter _peerDrops = Metrics.CreateCounter(
        Prefix + "peer_messages_dropped",
        "Peer messages dropped before consensus, by reason: malformed, unknown_sender, bad_signature, "
            + "not_from_sender, queue_full.",
        "reason"
    );

    private readonly Counter _peerUnsent = Metrics.CreateCounter(
        Prefix + "peer_messages_unsent",
        "Messages for a peer dropped before they were sent, by peer and reason: queue_full, peer_unreachable.",
        "peer",
        "reason"
    );

    // The two series of _admitted, looked up at their first request (each request records one, on every replica):
    // a label lookup per request otherwise, and a series that never moved stays absent until it does.
    private Counter.Child? _bySignature;
    private Counter.Child? _bySession;

    private readonly Histogram _executeSeconds = Metrics.CreateHistogram(
        Prefix + "batch_execute_seconds",
        "Time to execute a batch and append its block.",
        new HistogramConfiguration { Buckets = SecondsBuckets }
    );

    private readonly Histogram _requestSeconds = Metrics.CreateHistogram(
        Prefix + "client_request_seconds",
        "Time from a client request's arrival to this replica's reply.",
        new HistogramConfiguration { Buckets = SecondsBuckets }
    );

    private readonly Gauge _view = Metrics.CreateGauge(Prefix + "view", "Current view.");

    private readonly Gauge _complaints = Metrics.CreateGauge(
        Prefix + "view_complaints",
        "Replicas (this one included) that asked to leave the current view; f+1 start the view change."
    );

    private readonly Gauge _stableSeq = Metrics.CreateGauge(Prefix + "stable_seq", "Last stable sequence number.");

    private readonly Gauge _lastExecuted = Metrics.CreateGauge(
        Prefix + "last_executed_seq",
        "Last executed sequence number."
    );

    private readonly Gauge _lastBlock = Metrics.CreateGauge(Prefix + "last_block_id", "Last block id in the ledger.");

    private readonly Gauge _epoch = Metrics.CreateGauge(
        Prefix + "epoch",
        "Epoch: how many times the cluster was unwedged."
    );

    public void BatchExecuted(int requests, TimeSpan elapsed)
    {
        _batches.Inc();
        _requests.Inc(requests);
        _executeSeconds.Observe(elapsed.TotalSeconds);
    }

    public void RequestAdmitted(bool signatureChecked) =>
        (
            signatureChecked
                ? _bySignature ??= _admitted.WithLabels("signature")
                : _bySession ??= _admitted.WithLabels("session")
        ).Inc();

    public void PeerMessageDropped(string reason) => _peerDrops.WithLabels(reason).Inc();

    public void PeerMessagesUnsent(ReplicaId peer, string reason, int count) =>
        _peerUnsent
            .WithLabels(peer.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), reason)
            .Inc(count);

    public void RequestAnswered(TimeSpan elapsed) => _requestSeconds.Observe(elapsed.TotalSeconds);

    public void ViewEntered(ViewNum view) => _view.Set(view.Value);

    public void ViewComplaints(int complaints) => _complaints.Set(complaints);

    public void StableCheckpoint(SeqNum seq) => _stableSeq.Set(seq.Value);

    public void Progress(SeqNum lastExecuted, BlockId lastBlock, ulong epoch)
    {
        _epoch.Set(epoch);
        _lastExecuted.Set(lastExecuted.Value);
        _lastBlock.Set(lastBlock.Value);
    }
}
