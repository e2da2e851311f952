using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>The newest block of a ledger: its id, its chain digest, and the consensus sequence number that produced it.
/// An empty ledger's head is block 0 with the genesis digest.</summary>
public readonly record struct LedgerHead(BlockId LastBlockId, Digest LastDigest, SeqNum LastSeqNum);
