using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Node.Tests;

/// <summary>A ledger that counts what is asked of it: metadata writes (and which of them synced), syncs, metadata
/// scans and, by key, state value reads; the answers are the wrapped ledger's (a fresh in-memory one by
/// default).</summary>
internal sealed class CountingLedger(ILedgerStore? inner = null) : ILedgerStore
{
    private readonly ILedgerStore _inner = inner ?? new InMemoryLedger("test-chain");
    private readonly Dictionary<string, int> _valueReads = [];

    public int MetadataWrites { get; private set; }

    public int SyncedMetadataWrites { get; private set; }

    public int Syncs { get; private set; }

    public int MetadataReads { get; private set; }

    /// <summary>How often the state value of <paramref name="key"/> was read.</summary>
    public int ReadsOf(byte[] key) => _valueReads.GetValueOrDefault(Convert.ToHexString(key));

    public string Location => _inner.Location;

    public string ChainId => _inner.ChainId;

    public StateHashScheme StateHashScheme => _inner.StateHashScheme;

    public Digest GenesisDigest => _inner.GenesisDigest;

    public LedgerHead Head => _inner.Head;

    public Digest StateDigest => _inner.StateDigest;

    public Durability Durability => _inner.Durability;

    public byte[]? GetValue(ReadOnlySpan<byte> key)
    {
        var hex = Convert.ToHexString(key);
        _valueReads[hex] = _valueReads.GetValueOrDefault(hex) + 1;
        return _inner.GetValue(key);
    }

    public Block? GetBlock(BlockId id) => _inner.GetBlock(id);

    public IEnumerable<Block> ReadBlocks(BlockId from) => _inner.ReadBlocks(from);

    public IEnumerable<KeyValuePair<byte[], byte[]>> ReadState(byte[]? prefix = null) => _inner.ReadState(prefix);

    public long EstimateStateKeyCount() => _inner.EstimateStateKeyCount();

    public byte[]? GetMetadata(string key) => _inner.GetMetadata(key);

    public IEnumerable<KeyValuePair<string, byte[]>> ReadMetadata(string prefix)
    {
        MetadataReads++;
        return _inner.ReadMetadata(prefix);
    }

    public Block Append(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata = null) =>
        _inner.Append(proposal, metadata);

    public Block Install(Block block) => _inner.Install(block);

    public void WriteMetadata(IReadOnlyList<MetadataWrite> metadata, bool sync = false)
    {
        MetadataWrites++;
        SyncedMetadataWrites += sync ? 1 : 0;
        _inner.WriteMetadata(metadata, sync);
    }

    public void Sync()
    {
        Syncs++;
        _inner.Sync();
    }

    public void Dispose() => _inner.Dispose();
}
