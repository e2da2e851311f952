using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>Read access to a ledger: the live store of a replica, or a checkpoint opened read-only.</summary>
public interface ILedgerReader : IDisposable
{
    /// <summary>Where the ledger lives, for messages ("memory" for an in-memory store).</summary>
    string Location { get; }

    /// <summary>The chain this ledger belongs to, fixed when the ledger was created.</summary>
    string ChainId { get; }

    /// <summary>How the ledger's state hash expands a pair, fixed when the ledger was created (its format).</summary>
    StateHashScheme StateHashScheme { get; }

    /// <summary>The digest block 1 chains to: derived from the chain id, so two chains never share a block
    /// digest.</summary>
    Digest GenesisDigest { get; }

    /// <summary>The newest block.</summary>
    LedgerHead Head { get; }

    /// <summary>The <see cref="StateHash.Digest"/> of the latest state, as maintained with every block (the head block
    /// records the same one): O(1), unlike <see cref="StateHash.Of"/> over <see cref="ReadState"/>.</summary>
    Digest StateDigest { get; }

    /// <summary>Block <paramref name="id"/>, or null when the ledger has no such block.</summary>
    /// <exception cref="LedgerCorruptException">When the stored block does not decode or is not block <paramref
    /// name="id"/>.</exception>
    Block? GetBlock(BlockId id);

    /// <summary>Blocks <paramref name="from"/> to the head, in order.</summary>
    IEnumerable<Block> ReadBlocks(BlockId from);

    /// <summary>The links of the same blocks: each block checked as <see cref="ReadBlocks"/> checks it, without its
    /// writes copied out (a pass over a whole chain reads far less).</summary>
    IEnumerable<BlockLink> ReadBlockLinks(BlockId from) => ReadBlocks(from).Select(BlockLink.Of);

    /// <summary>The latest value of <paramref name="key"/>, or null when it is absent.</summary>
    byte[]? GetValue(ReadOnlySpan<byte> key);

    /// <summary>Every key of the latest state (or only those starting with <paramref name="prefix"/>) with its value,
    /// in key order (bytewise).</summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> ReadState(byte[]? prefix = null);

    /// <summary>About how many keys the latest state holds (RocksDB's own estimate; exact for an in-memory store):
    /// cheap, unlike counting them with <see cref="ReadState"/>.</summary>
    long EstimateStateKeyCount();

    /// <summary>A replica metadata entry, or null.</summary>
    byte[]? GetMetadata(string key);

    /// <summary>Every metadata entry whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IEnumerable<KeyValuePair<string, byte[]>> ReadMetadata(string prefix);
}
