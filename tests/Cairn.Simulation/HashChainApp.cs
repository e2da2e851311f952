using Cairn.ClientProtocol;
using Cairn.Consensus.Messages;
using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Simulation;

/// <summary>
/// The in-memory execution layer: a hash chain, digest(n) = H(digest(n-1) ‖ consensus time ‖ batch bytes).
/// A request's result is (seq ‖ operation), so correct replicas answer identically.
/// </summary>
public sealed class HashChainApp
{
    private readonly List<Entry> _log = [];

    public SeqNum LastSeq => new((ulong)_log.Count);

    public Digest Digest => _log.Count == 0 ? Digest.Zero : _log[^1].DigestAfter;

    public DateTimeOffset? LastConsensusTime => _log.Count == 0 ? null : _log[^1].Time;

    public Digest DigestAt(SeqNum seq) => seq.Value == 0 ? Digest.Zero : _log[(int)seq.Value - 1].DigestAfter;

    public (Digest Digest, List<ClientReply> Replies) Apply(
        SeqNum seq,
        Batch batch,
        DateTimeOffset time,
        IReadOnlyList<ClientRequest> requests
    )
    {
        if (seq != LastSeq.Next)
        {
            throw new InvalidOperationException($"execution out of order: seq {seq} after {LastSeq}");
        }

        var digest = Chain(Digest, batch, time);
        _log.Add(new Entry(batch, time, [.. requests], digest));
        return (digest, requests.Select(r => ClientReply.Create(r.ClientId, r.RequestId, ResultOf(seq, r))).ToList());
    }

    /// <summary>Replaces this state with <paramref name="peer"/>'s prefix up to <paramref name="target"/>, if it hashes
    /// to <paramref name="certified"/>.</summary>
    public bool TryInstallFrom(HashChainApp peer, SeqNum target, Digest certified)
    {
        if (peer.LastSeq < target)
        {
            return false;
        }

        // Recompute the chain rather than trusting the peer's digests: the certified digest is the only trust anchor.
        var digest = Digest.Zero;
        for (var i = 0; i < (int)target.Value; i++)
        {
            digest = Chain(digest, peer._log[i].Batch, peer._log[i].Time);
        }

        if (digest != certified)
        {
            return false;
        }

        _log.Clear();
        var recomputed = Digest.Zero;
        for (var i = 0; i < (int)target.Value; i++)
        {
            var entry = peer._log[i];
            recomputed = Chain(recomputed, entry.Batch, entry.Time);
            _log.Add(entry with { DigestAfter = recomputed });
        }

        return true;
    }

    /// <summary>Each client's latest reply, as a real ledger would store it with the state.</summary>
    public List<ClientReply> LatestReplies()
    {
        var latest = new Dictionary<ulong, ClientReply>();
        for (var i = 0; i < _log.Count; i++)
        {
            foreach (var request in _log[i].Requests)
            {
                latest[request.ClientId] = ClientReply.Create(
                    request.ClientId,
                    request.RequestId,
                    ResultOf(new SeqNum((ulong)i + 1), request)
                );
            }
        }

        return [.. latest.Values];
    }

    public static byte[] ResultOf(SeqNum seq, ClientRequest request)
    {
        var writer = new CanonicalWriter();
        writer.WriteUInt64(seq.Value);
        writer.WriteFixed(request.Operation.Span);
        return writer.ToArray();
    }

    private static Digest Chain(Digest previous, Batch batch, DateTimeOffset time)
    {
        var writer = new CanonicalWriter(batch.Encoded.Length + 48);
        writer.WriteDigest(previous);
        writer.WriteInt64(time.ToUnixTimeMilliseconds());
        writer.WriteFixed(batch.Encoded);
        return Digest.Compute(writer.WrittenSpan);
    }

    private sealed record Entry(
        Batch Batch,
        DateTimeOffset Time,
        IReadOnlyList<ClientRequest> Requests,
        Digest DigestAfter
    );
}
