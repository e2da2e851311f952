namespace Cairn.Ledger;

/// <summary>What a completed <see cref="ILedgerStore.Append"/> survives.</summary>
public enum Durability
{
    /// <summary>The write-ahead log is fsynced before Append returns: the block survives a power loss.</summary>
    Synced,

    /// <summary>The write-ahead log is written but not fsynced: the block survives a process kill, not a power loss
    /// (the OS may lose its last writes). Blocks are still all-or-nothing.</summary>
    Unsynced,
}
