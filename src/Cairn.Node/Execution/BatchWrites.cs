using Cairn.Ledger;

namespace Cairn.Node.Execution;

/// <summary>The state writes of the batch being executed; reads see them before the ledger does, so a request
/// observes every request ordered before it in the same batch.</summary>
internal sealed class BatchWrites(ILedgerReader ledger)
{
    private readonly Dictionary<string, byte[]?> _latest = [];

    public List<StateWrite> Writes { get; } = [];

    public void Put(byte[] key, byte[] value)
    {
        Writes.Add(StateWrite.Put(key, value));
        _latest[Convert.ToHexString(key)] = value;
    }

    public void Delete(byte[] key)
    {
        Writes.Add(StateWrite.Delete(key));
        _latest[Convert.ToHexString(key)] = null;
    }

    /// <summary>Whether the batch wrote or deleted <paramref name="key"/>.</summary>
    public bool Wrote(byte[] key) => _latest.ContainsKey(Convert.ToHexString(key));

    public byte[]? Get(byte[] key) =>
        _latest.TryGetValue(Convert.ToHexString(key), out var value) ? value : ledger.GetValue(key);
}
