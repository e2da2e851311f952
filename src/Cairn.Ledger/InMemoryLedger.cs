using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>A ledger held in memory, with the same semantics as <see cref="RocksDbLedger"/> (it passes the same
/// conformance tests): for simulations and tests of the layers above storage. Nothing survives the process.</summary>
public sealed class InMemoryLedger : ILedgerStore
{
    private readonly Lock _lock = new();
    private readonly List<Block> _blocks = [];
    private readonly SortedDictionary<byte[], byte[]> _state = new(ByteArrayComparer.Instance);
    private readonly Dictionary<string, byte[]> _metadata = [];
    private LedgerHead _head;
    private StateHash _stateHash = StateHash.Empty;

    public InMemoryLedger(string chainId)
    {
        ChainId = chainId;
        GenesisDigest = LedgerDigests.Genesis(chainId);
        _head = new LedgerHead(BlockId.Genesis, GenesisDigest, SeqNum.Zero);
    }

    public string Location => "memory";

    public string ChainId { get; }

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
            _blocks.Add(block);
            foreach (var write in proposal.Writes)
            {
                if (write.Value is { } value)
                {
                    _state[write.Key.ToArray()] = value.ToArray();
                }
                else
                {
                    _state.Remove(write.Key);
                }
            }

            ApplyMetadata(metadata ?? []);
            _head = new LedgerHead(block.Id, block.Digest, block.SeqNum);
            _stateHash = stateHash;
            return block;
        }
    }

    public void WriteMetadata(IReadOnlyList<MetadataWrite> metadata)
    {
        LedgerKeys.CheckCallerMetadata(metadata);
        lock (_lock)
        {
            ApplyMetadata(metadata);
        }
    }

    /// <summary>Nothing to make durable in memory.</summary>
    public void Sync() { }

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

    private void ApplyMetadata(IReadOnlyList<MetadataWrite> metadata)
    {
        foreach (var write in metadata)
        {
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
}
