using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>
/// The blocks one peer sends for state transfer, checked as they come: each must follow the one before (next id,
/// previous digest) from <paramref name="from"/>, none may pass <paramref name="toSeq"/>, and the one at
/// <paramref name="toSeq"/> must carry <paramref name="endDigest"/>, the digest a stable checkpoint certificate (or an
/// earlier, verified pass) vouches for. Nothing is trusted before that last block arrives, so the chain keeps only
/// what it must: once the blocks it holds reach <paramref name="segmentBytes"/> it lets them go and remembers the
/// point they end at (<see cref="LetGo"/>), to be fetched again segment by segment once the whole chain checked out
/// (<see cref="BlockTransfer"/>). It never holds more than <paramref name="segmentBytes"/> plus one block.
/// <see cref="BlockTransfer"/> and the simulator check with it.
/// </summary>
public sealed class FetchedChain(ChainMark from, SeqNum toSeq, Digest endDigest, long segmentBytes)
{
    private readonly List<Block> _blocks = [];
    private readonly List<ChainMark> _letGo = [];
    private Digest _digest = from.Digest;
    private long _heldBytes;

    /// <summary>The sequence number of the block the chain ends at.</summary>
    public SeqNum ToSeq => toSeq;

    /// <summary>The id of the block expected next.</summary>
    public BlockId NextId { get; private set; } = from.Id.Next;

    /// <summary>Where each segment whose blocks were let go ends, in chain order; verified once <see cref="Complete"/>
    /// is set (the last block's digest vouches for every block before it).</summary>
    public IReadOnlyList<ChainMark> LetGo => _letGo;

    /// <summary>Once the block at <c>toSeq</c> arrived with the vouched-for digest, the blocks after the last point in
    /// <see cref="LetGo"/> (after <c>from</c> when none was let go) up to it; null before.</summary>
    public IReadOnlyList<Block>? Complete { get; private set; }

    /// <summary>Adds the next block; false when it does not chain, passes the end or ends at another digest than the
    /// vouched-for one (the peer lied or holds another chain), or when the chain was already complete.</summary>
    public bool TryAdd(Block block)
    {
        if (Complete is not null || block.Id != NextId || block.PreviousDigest != _digest || block.SeqNum > toSeq)
        {
            return false;
        }

        _digest = block.Digest;
        NextId = NextId.Next;
        _blocks.Add(block);
        if (block.SeqNum == toSeq)
        {
            if (_digest != endDigest)
            {
                return false;
            }

            Complete = _blocks;
            return true;
        }

        _heldBytes += block.Encoded.Length;
        if (_heldBytes >= segmentBytes)
        {
            _letGo.Add(ChainMark.Of(block));
            _blocks.Clear();
            _heldBytes = 0;
        }

        return true;
    }
}
