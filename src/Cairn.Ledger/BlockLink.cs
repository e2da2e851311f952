using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>A block's place in the hash chain: its id, sequence number, the digest it names as its predecessor's and
/// its own. What a pass over a whole chain checks (<see cref="ChainVerifier"/>), without the block's writes.</summary>
public readonly record struct BlockLink(BlockId Id, SeqNum SeqNum, Digest PreviousDigest, Digest Digest)
{
    public static BlockLink Of(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new BlockLink(block.Id, block.SeqNum, block.PreviousDigest, block.Digest);
    }
}
