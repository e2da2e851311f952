using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>A point in a chain of blocks: the block's id, the sequence number that produced it, and its chain
/// digest. State transfer remembers one at the end of every segment it lets go of.</summary>
public readonly record struct ChainMark(BlockId Id, SeqNum Seq, Digest Digest)
{
    /// <summary>The point a ledger's head stands at.</summary>
    public static ChainMark Of(LedgerHead head) => new(head.LastBlockId, head.LastSeqNum, head.LastDigest);

    /// <summary>The point right after <paramref name="block"/>.</summary>
    public static ChainMark Of(Block block) => new(block.Id, block.SeqNum, block.Digest);
}
