namespace Cairn.Ledger;

/// <summary>A block received from a peer does not re-derive on this ledger: applied to this ledger's head and state it
/// gives another block digest or state digest, so the peer sent something the certified chain does not hold (or this
/// replica's state has diverged). Nothing was stored.</summary>
public sealed class BlockMismatchException(string path, string problem) : LedgerException(path, problem);
