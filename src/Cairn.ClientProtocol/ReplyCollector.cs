using Cairn.Core.Crypto;

namespace Cairn.ClientProtocol;

/// <summary>
/// Client side: collects replies to one request and accepts a result once f+1 distinct replicas signed the same
/// answer (at least one of them is correct). Badly signed, foreign and repeated replies are ignored.
/// </summary>
public sealed class ReplyCollector
{
    private readonly int _f;
    private readonly IReadOnlyList<VerificationKey> _replicaKeys;
    private readonly Dictionary<int, ClientReply> _byReplica = [];

    /// <summary>Collects replies to (<paramref name="clientId"/>, <paramref name="requestId"/>).</summary>
    public ReplyCollector(int f, IReadOnlyList<VerificationKey> replicaKeys, ulong clientId, ulong requestId)
    {
        _f = f;
        _replicaKeys = replicaKeys ?? throw new ArgumentNullException(nameof(replicaKeys));
        ClientId = clientId;
        RequestId = requestId;
    }

    /// <summary>The client.</summary>
    public ulong ClientId { get; }

    /// <summary>The request.</summary>
    public ulong RequestId { get; }

    /// <summary>The accepted reply, once f+1 match.</summary>
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
        if (_byReplica.Values.Count(r => r.SameAnswerAs(reply)) >= Quorums.ReplyQuorum(_f))
        {
            Accepted = reply;
        }

        return Accepted is not null;
    }
}
