using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>
/// State transfer in bounded memory. A first pass streams the blocks from the replica's head to the target from one
/// peer and checks that they chain to the certified digest, keeping only the last segment's blocks and the point where
/// each earlier segment ends (<see cref="FetchedChain"/>). Those points are then as trustworthy as the certificate, so
/// a second pass fetches each earlier segment again, from any peer, checks it against the points at both its ends and
/// installs it before it fetches the next; the last segment is installed last. A replica that is close behind (the
/// whole distance within one segment) fetches once. Memory: two segments plus a digest per segment, whatever the
/// distance; installed segments stay installed if the transfer stops half-way, so the next one starts from there.
/// </summary>
/// <param name="source">Where the blocks come from.</param>
/// <param name="segmentBytes">How many bytes of blocks one segment holds (<see cref="DefaultSegmentBytes"/>).</param>
/// <param name="stallTimeout">How long a peer may stay silent before the next one is tried.</param>
public sealed class BlockTransfer(IBlockSource source, long segmentBytes, TimeSpan stallTimeout)
{
    /// <summary>The segment size the server uses: large enough that a replica a few checkpoint windows behind fetches
    /// once, small enough that a replica days behind does not hold the distance in memory.</summary>
    public const long DefaultSegmentBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Fetches and installs the blocks after <paramref name="head"/> up to <paramref name="targetSeq"/>, whose block
    /// must carry <paramref name="certifiedDigest"/>, from <paramref name="peers"/> (the first pass tries them in
    /// order). <paramref name="install"/> gets each verified segment in chain order, with true for the last one, and
    /// answers false when it refused it. True once the last segment is installed; false when no peer served the chain
    /// or a segment was refused.
    /// </summary>
    public async Task<bool> RunAsync(
        LedgerHead head,
        SeqNum targetSeq,
        Digest certifiedDigest,
        IReadOnlyList<ReplicaId> peers,
        Func<IReadOnlyList<Block>, bool, Task<bool>> install,
        CancellationToken cancellationToken
    )
    {
        var start = ChainMark.Of(head);
        for (var i = 0; i < peers.Count; i++)
        {
            var chain = new FetchedChain(start, targetSeq, certifiedDigest, segmentBytes);
            if (!await ReadAsync(peers[i], chain, cancellationToken).ConfigureAwait(false))
            {
                continue; // this peer failed, lied or stalled: the next one
            }

            // The peer that served the whole chain is asked first for each segment, the others after it.
            IReadOnlyList<ReplicaId> rotation = [.. peers.Skip(i), .. peers.Take(i)];
            var from = start;
            foreach (var end in chain.LetGo)
            {
                var segment = await FetchSegmentAsync(rotation, from, end, cancellationToken).ConfigureAwait(false);
                if (segment is null || !await install(segment, false).ConfigureAwait(false))
                {
                    return false;
                }

                from = end;
            }

            return await install(chain.Complete!, true).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>The blocks after <paramref name="from"/> up to <paramref name="end"/>, from the first peer whose
    /// blocks chain from one to the other; null when none did.</summary>
    private async Task<IReadOnlyList<Block>?> FetchSegmentAsync(
        IReadOnlyList<ReplicaId> peers,
        ChainMark from,
        ChainMark end,
        CancellationToken cancellationToken
    )
    {
        foreach (var peer in peers)
        {
            // Both ends are verified, so the segment is the one measured in the first pass: nothing is let go.
            var segment = new FetchedChain(from, end.Seq, end.Digest, long.MaxValue);
            if (await ReadAsync(peer, segment, cancellationToken).ConfigureAwait(false))
            {
                return segment.Complete;
            }
        }

        return null;
    }

    /// <summary>Feeds what <paramref name="peer"/> serves to <paramref name="chain"/> until it is complete; false when
    /// a block did not fit or the stream ended first.</summary>
    private async Task<bool> ReadAsync(ReplicaId peer, FetchedChain chain, CancellationToken cancellationToken)
    {
        await foreach (
            var block in source
                .ReadAsync(peer, chain.NextId, chain.ToSeq, stallTimeout, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            if (!chain.TryAdd(block))
            {
                return false;
            }

            if (chain.Complete is not null)
            {
                return true;
            }
        }

        return false;
    }
}
