using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Hosting;

/// <summary>Fetches the blocks a lagging replica lacks: <see cref="StateFetcher"/> over the replica
/// transport.</summary>
public interface IStateFetcher
{
    /// <summary>Blocks after <paramref name="head"/> up to sequence number <paramref name="targetSeq"/>, verified to
    /// end in <paramref name="certifiedDigest"/>, from the first of <paramref name="peers"/> that serves them; null
    /// when none could. A peer silent for <paramref name="stallTimeout"/> is given up for the next.</summary>
    Task<IReadOnlyList<Block>?> FetchAsync(
        LedgerHead head,
        SeqNum targetSeq,
        Digest certifiedDigest,
        IReadOnlyList<ReplicaId> peers,
        TimeSpan stallTimeout,
        CancellationToken cancellationToken
    );
}
