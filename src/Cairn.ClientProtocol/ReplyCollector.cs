using Cairn.Core.Crypto;

namespace Cairn.ClientProtocol;

/// <summary>
/// Client side: collects replies to one request and accepts a result once f+1 distinct replicas signed the same
/// answer (at least one of them is correct), or 2f+1 for a read-only request. Badly signed, foreign and repeated
/// replies are ignored.
/// </summary>
/// <remarks>
/// A read may be answered from a replica's executed state without ordering (at the wedge point: docs/consensus.md,
/// "Wedge"). f+1 such answers can all be stale: f correct replicas that have not yet executed the unwedge and a write
/// after it, plus f Byzantine ones. 2f+1 matching answers cannot be: a write that completed was executed by 2f+1
/// replicas, and any 2f+1 repliers include f+1 of them, one of them correct, which answers the new value (PBFT's
/// read-only rule).
/// </remarks>
public sealed class ReplyCollector
{
    private readonly int _matching;
    private readonly IReadOnlyList<VerificationKey> _replicaKeys;
    private readonly Dictionary<int, ClientReply> _byReplica = [];

    /// <summary>Collects replies to (<paramref name="clientId"/>, <paramref name="requestId"/>).</summary>
    /// <param name="readOnly">The request is a read that replicas may answer without ordering it.</param>
    public ReplyCollector(
        int f,
        IReadOnlyList<VerificationKey> replicaKeys,
        ulong clientId,
        ulong requestId,
        bool readOnly = false
    )
    {
        _matching = readOnly ? Quorums.Quorum(f) : Quorums.ReplyQuorum(f);
        _replicaKeys = replicaKeys ?? throw new ArgumentNullException(nameof(replicaKeys));
        ClientId = clientId;
        RequestId = requestId;
    }

    /// <summary>The client.</summary>
    public ulong ClientId { get; }

    /// <summary>The request.</summary>
    public ulong RequestId { get; }

    /// <summary>The accepted reply, once enough match.</summary>
    public ClientReply? Accepted { get; private set; }

    /// <summary>Adds a reply; returns true once a result is accepted.</summary>
    public bool Add(ClientReply reply)
    {
        if (Accepted is not null)
        {
            return true;
        }

        if (
            reply is null
            || reply.ClientId != ClientId
            || reply.RequestId != RequestId
            || (uint)reply.Replica.Value >= (uint)_replicaKeys.Count
            || _byReplica.ContainsKey(reply.Replica.Value)
            || !reply.Verify(_replicaKeys[reply.Replica.Value])
        )
        {
            return false;
        }

        _byReplica[reply.Replica.Value] = reply;
        if (_byReplica.Values.Count(r => r.SameAnswerAs(reply)) >= _matching)
        {
            Accepted = reply;
        }

        return Accepted is not null;
    }
}
