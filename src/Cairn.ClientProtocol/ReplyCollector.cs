namespace Cairn.ClientProtocol;

/// <summary>
/// Client side: collects replies to one request and accepts a result once f+1 distinct replicas sent the same
/// answer (at least one of them is correct), or 2f+1 for a read-only request. Foreign, repeated and disagreeing
/// replies do not count.
/// </summary>
/// <remarks>
/// A reply counts for the replica whose connection it arrived on: the caller's TLS connection to each replica pins
/// that replica's certificate, so only that replica can have sent it (docs/architecture.md, "Client replies").
/// A read may be answered from a replica's executed state without ordering (at the wedge point: docs/consensus.md,
/// "Wedge"). f+1 such answers can all be stale: f correct replicas that have not yet executed the unwedge and a write
/// after it, plus f Byzantine ones. 2f+1 matching answers cannot be: a write that completed was executed by 2f+1
/// replicas, and any 2f+1 repliers include f+1 of them, one of them correct, which answers the new value (PBFT's
/// read-only rule).
/// </remarks>
public sealed class ReplyCollector
{
    private readonly int _matching;
    private readonly int _replicaCount;
    private readonly Dictionary<int, ClientReply> _byReplica = [];

    /// <summary>Collects replies to (<paramref name="clientId"/>, <paramref name="requestId"/>) from replicas 0 to
    /// <paramref name="replicaCount"/> - 1.</summary>
    /// <param name="readOnly">The request is a read that replicas may answer without ordering it.</param>
    public ReplyCollector(int f, int replicaCount, ulong clientId, ulong requestId, bool readOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicaCount, Quorums.ReplicaCount(f));
        _matching = readOnly ? Quorums.Quorum(f) : Quorums.ReplyQuorum(f);
        _replicaCount = replicaCount;
        ClientId = clientId;
        RequestId = requestId;
    }

    /// <summary>The client.</summary>
    public ulong ClientId { get; }

    /// <summary>The request.</summary>
    public ulong RequestId { get; }

    /// <summary>The accepted reply, once enough match.</summary>
    public ClientReply? Accepted { get; private set; }

    /// <summary>Adds <paramref name="reply"/>, received from replica <paramref name="replica"/> (the one whose
    /// connection it arrived on); returns true once a result is accepted.</summary>
    public bool Add(int replica, ClientReply reply)
    {
        if (Accepted is not null)
        {
            return true;
        }

        if (
            reply is null
            || reply.ClientId != ClientId
            || reply.RequestId != RequestId
            || (uint)replica >= (uint)_replicaCount
            || _byReplica.ContainsKey(replica)
        )
        {
            return false;
        }

        _byReplica[replica] = reply;
        if (_byReplica.Values.Count(r => r.SameAnswerAs(reply)) >= _matching)
        {
            Accepted = reply;
        }

        return Accepted is not null;
    }
}
