namespace Cairn.Ledger;

/// <summary>The directory exists and holds something, but not a Cairn ledger; nothing in it was touched.</summary>
public sealed class NotALedgerException(string path, string problem) : LedgerException(path, problem);
