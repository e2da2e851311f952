using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>The blocks peers serve for state transfer: <see cref="StateFetcher"/> over the replica transport, the
/// simulator's from memory. What comes is not trusted: <see cref="BlockTransfer"/> checks it.</summary>
public interface IBlockSource
{
    /// <summary>The blocks <paramref name="peer"/> serves from <paramref name="from"/> on, up to the one at
    /// <paramref name="toSeq"/>, one at a time. The stream ends early, without an error, when the peer fails, sends
    /// something that does not decode, or stays silent for <paramref name="stallTimeout"/>.</summary>
    IAsyncEnumerable<Block> ReadAsync(
        ReplicaId peer,
        BlockId from,
        SeqNum toSeq,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    );
}
