using Cairn.Core;
using Cairn.Core.Encoding;

namespace Cairn.Ledger;

/// <summary>The digests a ledger is summed up by, besides its block chain.</summary>
public static class LedgerDigests
{
    /// <summary>The genesis digest block 1 chains to: <c>SHA-256("cairn-genesis" ‖ chain id)</c>, so distinct chains
    /// never share a block digest.</summary>
    public static Digest Genesis(string chainId) =>
        Digest.Compute(new CanonicalWriter().WriteString("cairn-genesis").WriteString(chainId).WrittenSpan);

    /// <summary>The state digest of the latest state re-derived from scratch (O(state)): <see cref="StateHash.Of"/>
    /// over every (key, value). It equals <see cref="ILedgerReader.StateDigest"/>, which the ledger maintains with each
    /// block, and the head block's <see cref="Block.StateDigest"/>, unless the state was altered outside the
    /// ledger.</summary>
    public static Digest State(ILedgerReader ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return StateHash.Of(ledger.StateHashScheme, ledger.ReadState()).Digest;
    }

    /// <summary>The state digest the head block records (the empty state's for a ledger with no block): the one a
    /// certificate over the head's digest covers.</summary>
    /// <exception cref="LedgerCorruptException">When the head block is not stored.</exception>
    public static Digest RecordedState(ILedgerReader ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var head = ledger.Head;
        return head.LastBlockId == BlockId.Genesis
            ? StateHash.EmptyDigest
            : (
                ledger.GetBlock(head.LastBlockId)
                ?? throw new LedgerCorruptException(
                    ledger.Location,
                    $"the head names block {head.LastBlockId}, which is not stored"
                )
            ).StateDigest;
    }
}
