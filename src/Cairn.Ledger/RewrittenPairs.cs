namespace Cairn.Ledger;

/// <summary>
/// The current pairs of keys the state keeps rewriting (each client's reply entry is rewritten with every request of
/// that client), with their <see cref="StateHash"/> expansions: when such a key is written again, the state hash
/// subtracts the stored expansion instead of reading the old value and expanding it again, one state read and one
/// expansion per rewrite (docs/benchmarks-history.md, "Rewritten pairs keep their expansions"). A key enters
/// when a write replaces a value it had (a key written once, as most application keys are, never does); the least
/// recently written leave past a byte budget. Exact by construction: changes are staged while a block's
/// hash is computed and applied only once its write has committed (<see cref="Commit"/>); a write that fails discards
/// them (<see cref="Discard"/>), so an entry always holds what the state holds. One ledger's append path only
/// (under its append lock).
/// </summary>
internal sealed class RewrittenPairs(long byteBudget = RewrittenPairs.DefaultByteBudget)
{
    /// <summary>Keys, values and expansions kept at most by default (about 1,900 reply entries of 100 bytes).</summary>
    public const long DefaultByteBudget = 4 * 1024 * 1024;

    /// <summary>Pairs larger than this are never kept: one would crowd out hundreds of reply entries.</summary>
    private const int MaxPairBytes = 16 * 1024;

    private readonly Dictionary<byte[], LinkedListNode<Pair>> _pairs = new(ByteArrayComparer.Instance);
    private readonly LinkedList<Pair> _byLastWrite = [];
    private readonly Dictionary<byte[], Pair?> _staged = new(ByteArrayComparer.Instance);
    private long _bytes;

    /// <summary>The bytes the kept pairs hold (keys, values and expansions).</summary>
    public long Bytes => _bytes;

    /// <summary>The key's current value and its expansion, when the key is kept (a staged change does not
    /// count).</summary>
    public bool TryGet(byte[] key, out byte[] value, out ushort[] expansion)
    {
        if (_pairs.TryGetValue(key, out var node))
        {
            (value, expansion) = (node.Value.Value, node.Value.Expansion);
            return true;
        }

        (value, expansion) = (null!, null!);
        return false;
    }

    /// <summary>Whether <paramref name="key"/>, written now, is kept: it is already, or the write replaces a value
    /// (<paramref name="replaces"/>), and the pair fits.</summary>
    public bool Keeps(byte[] key, byte[] value, bool replaces) =>
        (replaces || _pairs.ContainsKey(key)) && PairBytes(key, value) <= MaxPairBytes;

    /// <summary>Stages the key's new value and expansion (a copy is kept), applied by <see cref="Commit"/>. A later
    /// call for the same key replaces an earlier one.</summary>
    public void Stage(byte[] key, byte[] value, ushort[] expansion) =>
        _staged[key] = new Pair(key.ToArray(), value.ToArray(), expansion);

    /// <summary>Stages that the key is deleted or written with a value that is not kept.</summary>
    public void StageGone(byte[] key)
    {
        if (_pairs.ContainsKey(key) || _staged.ContainsKey(key))
        {
            _staged[key] = null;
        }
    }

    /// <summary>The block's write committed: its staged changes take effect, and the least recently written pairs
    /// leave while the budget is exceeded.</summary>
    public void Commit()
    {
        foreach (var (key, pair) in _staged)
        {
            Remove(key);
            if (pair is { } kept)
            {
                _pairs[kept.Key] = _byLastWrite.AddLast(kept); // its own copy of the key, not the writer's array
                _bytes += kept.Bytes;
            }
        }

        _staged.Clear();
        while (_bytes > byteBudget && _byLastWrite.First is { } oldest)
        {
            Remove(oldest.Value.Key);
        }
    }

    /// <summary>The block's write failed: nothing staged for it takes effect.</summary>
    public void Discard() => _staged.Clear();

    private void Remove(byte[] key)
    {
        if (_pairs.Remove(key, out var node))
        {
            _byLastWrite.Remove(node);
            _bytes -= node.Value.Bytes;
        }
    }

    private static int PairBytes(byte[] key, byte[] value) => key.Length + value.Length + StateHash.SizeBytes;

    private sealed record Pair(byte[] Key, byte[] Value, ushort[] Expansion)
    {
        public int Bytes { get; } = PairBytes(Key, Value);
    }
}
