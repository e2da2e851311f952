namespace Cairn.Ledger;

/// <summary>
/// How a <see cref="StateHash"/> expands one (key, value) pair into its 1024 lanes. A chain keeps the scheme its
/// ledgers were created with: every replica, checkpoint and auditor of the chain must derive the same digests, so the
/// scheme is part of the ledger's format marker (<c>cairn-ledger/1</c> or <c>/2</c>) and never changes under a chain.
/// </summary>
public enum StateHashScheme
{
    /// <summary>SHAKE256 of the pair's encoding, read as 2,048 bytes: ledgers of format
    /// <c>cairn-ledger/1</c>.</summary>
    Shake256 = 1,

    /// <summary>SHA-256 of the pair's encoding as an AES-256 key, and the 2,048 bytes that key encrypts 128 counter
    /// blocks to (AES-256 in counter mode): ledgers of format <c>cairn-ledger/2</c>, the one new ledgers get. The same
    /// lanes for about a fifth of SHAKE256's CPU where the processor has AES instructions
    /// (docs/benchmarks-history.md, "A state hash expanded by AES").</summary>
    Sha256Aes256Ctr = 2,
}
