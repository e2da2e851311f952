using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>
/// The blocks one peer sends for state transfer, checked as they come: each must follow the one before (next id,
/// previous digest) from the replica's own head, none may pass the target, and the one at the target must carry the
/// digest a stable checkpoint certificate vouches for. <see cref="StateFetcher"/> and the simulator check with it.
/// </summary>
public sealed class FetchedChain(LedgerHead head, SeqNum targetSeq, Digest certifiedDigest)
{
    private readonly List<Block> _blocks = [];
    private Digest _digest = head.LastDigest;

    /// <summary>The id of the block expected next.</summary>
    public BlockId NextId { get; private set; } = head.LastBlockId.Next;

    /// <summary>Every block from the head to the target once the one at the target arrived with the certified digest;
    /// null before.</summary>
    public IReadOnlyList<Block>? Complete { get; private set; }

    /// <summary>Adds the next block; false when it does not chain, passes the target or ends at another digest than
    /// the certified one (the peer lied or holds another chain), or when the chain was already complete.</summary>
    public bool TryAdd(Block block)
    {
        if (Complete is not null || block.Id != NextId || block.PreviousDigest != _digest || block.SeqNum > targetSeq)
        {
            return false;
        }

        _blocks.Add(block);
        _digest = block.Digest;
        NextId = NextId.Next;
        if (block.SeqNum == targetSeq)
        {
            if (_digest != certifiedDigest)
            {
                return false;
            }

            Complete = _blocks;
        }

        return true;
    }
}
