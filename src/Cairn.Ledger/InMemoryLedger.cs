using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>A ledger held in memory, with the same semantics as <see cref="RocksDbLedger"/> (it passes the same
/// conformance tests): for simulations and tests of the layers above storage. Nothing survives the process; within it,
/// <see cref="LoseUnsyncedWrites"/> does to it what a power loss does to RocksDB's unsynced log.</summary>
public sealed class InMemoryLedger : ILedgerStore
{
    private readonly Lock _lock = new();
    private readonly List<Block> _blocks = [];
    private readonly SortedDictionary<byte[], byte[]> _state = new(ByteArrayComparer.Instance);
    private readonly Dictionary<string, byte[]> _metadata = [];
    private LedgerHead _head;
    private StateHash _stateHash;

    // Every atomic write since the last sync, oldest first, with what it replaced: what a simulated power loss undoes.
    private readonly List<UnsyncedWrite> _unsynced = [];

    /// <param name="chainId">The chain the ledger belongs to.</param>
    /// <param name="stateHashScheme">Its state hash scheme: by default the one a new RocksDB ledger gets.</param>
    public InMemoryLedger(string chainId, StateHashScheme stateHashScheme = LedgerKeys.FormatScheme)
    {
        ChainId = chainId;
        StateHashScheme = stateHashScheme;
        _stateHash = StateHash.Empty(stateHashScheme);
        GenesisDigest = LedgerDigests.Genesis(chainId);
        _head = new LedgerHead(BlockId.Genesis, GenesisDigest, SeqNum.Zero);
    }

    public string Location => "memory";

    public string ChainId { get; }

    public StateHashScheme StateHashScheme { get; }

    public Digest GenesisDigest { get; }

    /// <summary>Nothing in memory survives a crash; appends are as durable as the process.</summary>
    public Durability Durability => Durability.Unsynced;

    public LedgerHead Head
    {
        get
        {
            lock (_lock)
            {
                return _head;
            }
        }
    }

    public Digest StateDigest
    {
        get
        {
            lock (_lock)
            {
                return _stateHash.Digest;
            }
        }
    }

    public Block Append(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata = null) =>
        AppendBlock(proposal, metadata, received: null);

    public Block Install(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return AppendBlock(new BlockProposal(block.SeqNum, block.Timestamp, block.Writes), null, block);
    }

    private Block AppendBlock(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata, Block? received)
    {
        if (metadata is not null)
        {
            LedgerKeys.CheckCallerMetadata(metadata);
        }

        lock (_lock)
        {
            LedgerKeys.CheckProposal(_head, proposal);
            var stateHash = _stateHash.Apply(proposal.Writes, key => _state.GetValueOrDefault(key));
            var block = Block.Create(_head.LastBlockId.Next, _head.LastDigest, proposal, stateHash.Digest);
            LedgerKeys.CheckInstalled(Location, block, received);
            var undo = BeginWrite();
            _blocks.Add(block);
            foreach (var write in proposal.Writes)
            {
                undo.State.Add((write.Key.ToArray(), _state.GetValueOrDefault(write.Key.ToArray())));
                if (write.Value is { } value)
                {
                    _state[write.Key.ToArray()] = value.ToArray();
                }
                else
                {
                    _state.Remove(write.Key);
                }
            }

            ApplyMetadata(metadata ?? [], undo);
            _head = new LedgerHead(block.Id, block.Digest, block.SeqNum);
            _stateHash = stateHash;
            return block;
        }
    }

    public void WriteMetadata(IReadOnlyList<MetadataWrite> metadata, bool sync = false)
    {
        LedgerKeys.CheckCallerMetadata(metadata);
        lock (_lock)
        {
            ApplyMetadata(metadata, BeginWrite());
            if (sync)
            {
                _unsynced.Clear();
            }
        }
    }

    /// <summary>Marks every write so far durable: <see cref="LoseUnsyncedWrites"/> keeps them.</summary>
    public void Sync()
    {
        lock (_lock)
        {
            _unsynced.Clear();
        }
    }

    /// <summary>How many atomic writes (appends, metadata writes) were made since the last <see cref="Sync"/>.
    /// </summary>
    public int UnsyncedWriteCount
    {
        get
        {
            lock (_lock)
            {
                return _unsynced.Count;
            }
        }
    }

    /// <summary>
    /// A simulated power loss: undoes every write since the last <see cref="Sync"/> but the first
    /// <paramref name="kept"/>, newest first, as RocksDB recovers a prefix of its unsynced log, each write whole or not
    /// at all. What is left counts as durable.
    /// </summary>
    public void LoseUnsyncedWrites(int kept)
    {
        lock (_lock)
        {
            for (var i = _unsynced.Count - 1; i >= Math.Max(0, kept); i--)
            {
                var write = _unsynced[i];
                _blocks.RemoveRange(write.BlockCount, _blocks.Count - write.BlockCount);
                _head = write.Head;
                _stateHash = write.StateHash;
                Undo(_state, write.State);
                Undo(_metadata, write.Metadata);
            }

            _unsynced.Clear();
        }
    }

    public Block? GetBlock(BlockId id)
    {
        lock (_lock)
        {
            return id.Value >= 1 && id.Value <= (ulong)_blocks.Count ? _blocks[(int)(id.Value - 1)] : null;
        }
    }

    public IEnumerable<Block> ReadBlocks(BlockId from)
    {
        Block[] snapshot;
        lock (_lock)
        {
            snapshot = [.. _blocks];
        }

        return snapshot.Where(b => b.Id >= from);
    }

    public byte[]? GetValue(ReadOnlySpan<byte> key)
    {
        lock (_lock)
        {
            return _state.TryGetValue(key.ToArray(), out var value) ? value : null;
        }
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> ReadState(byte[]? prefix = null)
    {
        lock (_lock)
        {
            return [.. _state.Where(kv => prefix is null || kv.Key.AsSpan().StartsWith(prefix))];
        }
    }

    public long EstimateStateKeyCount()
    {
        lock (_lock)
        {
            return _state.Count;
        }
    }

    public byte[]? GetMetadata(string key)
    {
        lock (_lock)
        {
            return _metadata.GetValueOrDefault(key);
        }
    }

    public IEnumerable<KeyValuePair<string, byte[]>> ReadMetadata(string prefix)
    {
        lock (_lock)
        {
            return
            [
                .. _metadata
                    .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal),
            ];
        }
    }

    public void Dispose() { }

    /// <summary>Puts back what <paramref name="replaced"/> says each key held, newest change first.</summary>
    private static void Undo<TKey>(IDictionary<TKey, byte[]> entries, List<(TKey Key, byte[]? Old)> replaced)
    {
        for (var i = replaced.Count - 1; i >= 0; i--)
        {
            var (key, old) = replaced[i];
            if (old is null)
            {
                entries.Remove(key);
            }
            else
            {
                entries[key] = old;
            }
        }
    }

    private UnsyncedWrite BeginWrite()
    {
        var write = new UnsyncedWrite(_blocks.Count, _head, _stateHash, [], []);
        _unsynced.Add(write);
        return write;
    }

    private void ApplyMetadata(IReadOnlyList<MetadataWrite> metadata, UnsyncedWrite undo)
    {
        foreach (var write in metadata)
        {
            undo.Metadata.Add((write.Key, _metadata.GetValueOrDefault(write.Key)));
            if (write.Value is { } value)
            {
                _metadata[write.Key] = value.ToArray();
            }
            else
            {
                _metadata.Remove(write.Key);
            }
        }
    }

    private sealed record UnsyncedWrite(
        int BlockCount,
        LedgerHead Head,
        StateHash StateHash,
        List<(byte[] Key, byte[]? Old)> State,
        List<(string Key, byte[]? Old)> Metadata
    );
}
