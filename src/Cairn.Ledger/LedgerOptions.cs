namespace Cairn.Ledger;

/// <summary>How to open or create a ledger.</summary>
/// <param name="ChainId">The chain a new ledger belongs to; an existing ledger must belong to the same chain.
/// Null opens an existing ledger whatever its chain, and refuses to create one.</param>
/// <param name="Durability">Whether appends are fsynced (<see cref="Ledger.Durability.Synced"/>, the default).</param>
public sealed record LedgerOptions(string? ChainId = null, Durability Durability = Durability.Synced);
