namespace Cairn.Ledger;

/// <summary>The ledger's contents contradict themselves: a block that does not decode, a broken hash chain,
/// a head that names a missing block. The message names the path and the first bad block.</summary>
public sealed class LedgerCorruptException(string path, string problem) : LedgerException(path, problem);
