namespace Cairn.Ledger;

/// <summary>How to open or create a ledger.</summary>
/// <param name="ChainId">The chain a new ledger belongs to; an existing ledger must belong to the same chain.
/// Null opens an existing ledger whatever its chain, and refuses to create one.</param>
/// <param name="Durability">Whether appends are fsynced (<see cref="Ledger.Durability.Synced"/>, the default).</param>
/// <param name="FlushStagger">Where this ledger's size-triggered memtable flushes fall among its cluster's, from 0 (the
/// default) up to but not including 1: RocksDB flushes once the write-ahead log holds 32 MiB × (1 + this). A replica
/// passes its id over the number of replicas, so replicas that append the same blocks do not all flush at the same
/// moment (docs/architecture.md, "On-disk layout").</param>
public sealed record LedgerOptions(
    string? ChainId = null,
    Durability Durability = Durability.Synced,
    double FlushStagger = 0
);
