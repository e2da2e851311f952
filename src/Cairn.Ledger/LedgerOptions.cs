namespace Cairn.Ledger;

/// <summary>How to open or create a ledger.</summary>
/// <param name="ChainId">The chain a new ledger belongs to; an existing ledger must belong to the same chain.
/// Null opens an existing ledger whatever its chain, and refuses to create one.</param>
/// <param name="Durability">Whether appends are fsynced (<see cref="Ledger.Durability.Synced"/>, the default).</param>
/// <param name="FlushStagger">Where this ledger's size-triggered memtable flushes fall among its cluster's, from 0 (the
/// default) up to but not including 1: RocksDB flushes once the write-ahead log holds 32 MiB × (1 + this). A replica
/// passes <see cref="StaggerOf"/>, so replicas that append the same blocks do not all flush at the same moment
/// (docs/architecture.md, "On-disk layout").</param>
public sealed record LedgerOptions(
    string? ChainId = null,
    Durability Durability = Durability.Synced,
    double FlushStagger = 0
)
{
    /// <summary>
    /// The <see cref="FlushStagger"/> of the ledger at <paramref name="index"/> of <paramref name="count"/>, spread
    /// over the first half of the range: 32, 36, 40 and 44 MiB of log for four replicas. Spread over all of it, the
    /// last replica's memtables grew to 56 MiB and made it the largest replica under 16 KiB writes, while 4 MiB apart
    /// still keeps each replica's flushes off its neighbours' blocks (docs/benchmarks-history.md, "Flushes 4 MiB
    /// apart").
    /// </summary>
    public static double StaggerOf(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return index / (2.0 * count);
    }
}
