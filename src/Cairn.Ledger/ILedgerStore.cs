namespace Cairn.Ledger;

/// <summary>A ledger that accepts blocks. Implementations: <see cref="RocksDbLedger"/> (the replica's database) and
/// <see cref="InMemoryLedger"/> (tests and simulations); both pass the same conformance tests.</summary>
public interface ILedgerStore : ILedgerReader
{
    /// <summary>How durable a returned <see cref="Append"/> is.</summary>
    Durability Durability { get; }

    /// <summary>
    /// Appends the next block: the block, its state writes, the new head and <paramref name="metadata"/> are stored in
    /// one atomic write (the commit point): after a crash either all of it is there or none of it.
    /// </summary>
    /// <returns>The stored block, with its id and chain digest.</returns>
    /// <exception cref="ArgumentException">When the proposal's sequence number does not follow the head's, or a key is
    /// empty or too long; nothing is stored.</exception>
    Block Append(BlockProposal proposal, IReadOnlyList<MetadataWrite>? metadata = null);

    /// <summary>
    /// Appends a block received from a peer (state transfer): re-derives it from this ledger's head and state, as
    /// <see cref="Append"/> would, and stores it only when the result is the same block (same digest, so the same
    /// state digest).
    /// </summary>
    /// <returns>The stored block.</returns>
    /// <exception cref="BlockMismatchException">When the re-derived block differs; nothing is stored.</exception>
    /// <exception cref="ArgumentException">As <see cref="Append"/>.</exception>
    Block Install(Block block);

    /// <summary>Stores or deletes replica metadata entries in one atomic write, with the store's durability; when
    /// <paramref name="sync"/>, that write and every write before it are durable when it returns, as after
    /// <see cref="Sync"/> (one fsync for both, where a write then a sync would take two writes).</summary>
    void WriteMetadata(IReadOnlyList<MetadataWrite> metadata, bool sync = false);

    /// <summary>Makes every write made so far durable (one fsync), whatever the store's durability: lets a caller
    /// append unsynced and pay for one sync per group of writes (group commit).</summary>
    void Sync();
}
