namespace Cairn.Ledger;

/// <summary>A ledger operation that failed for a reason an operator can act on; the message is one line naming the
/// path.</summary>
public class LedgerException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The ledger or checkpoint directory concerned.</summary>
    public string Path { get; } = path;
}
