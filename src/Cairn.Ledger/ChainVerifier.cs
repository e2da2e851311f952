using Cairn.Core;

namespace Cairn.Ledger;

/// <summary>Re-derives a ledger's hash chain from its blocks, the way an auditor would: every block must decode, carry
/// the next id, name its predecessor's digest, and the last digest must be the one the head records.</summary>
public static class ChainVerifier
{
    /// <summary>Checks every block of <paramref name="ledger"/> from <paramref name="from"/>, whose predecessor's
    /// digest
    /// must be <paramref name="previousDigest"/> (the genesis digest when checking from block 1).</summary>
    /// <exception cref="LedgerCorruptException">At the first block that breaks the chain, naming it.</exception>
    public static ChainVerification Verify(ILedgerReader ledger, BlockId from, Digest previousDigest)
    {
        var head = ledger.Head;
        var expectedId = from;
        var digest = previousDigest;
        var seq = SeqNum.Zero;
        ulong checkedCount = 0;
        foreach (var link in ledger.ReadBlockLinks(from))
        {
            if (link.Id != expectedId)
            {
                throw new LedgerCorruptException(
                    ledger.Location,
                    $"block {expectedId} is missing (found block {link.Id} in its place)"
                );
            }

            if (link.PreviousDigest != digest)
            {
                throw new LedgerCorruptException(
                    ledger.Location,
                    $"block {link.Id} does not chain to block {link.Id.Value - 1}: it names digest "
                        + $"{link.PreviousDigest.ToHex()[..16]}…, the chain has {digest.ToHex()[..16]}…"
                );
            }

            if (link.SeqNum <= seq)
            {
                throw new LedgerCorruptException(
                    ledger.Location,
                    $"block {link.Id} has sequence number {link.SeqNum}, not above {seq}"
                );
            }

            digest = link.Digest;
            seq = link.SeqNum;
            expectedId = expectedId.Next;
            checkedCount++;
        }

        var lastId = new BlockId(expectedId.Value - 1);
        if (lastId != head.LastBlockId)
        {
            throw new LedgerCorruptException(
                ledger.Location,
                $"the head names block {head.LastBlockId} but the blocks end at {lastId}"
            );
        }

        if (digest != head.LastDigest)
        {
            throw new LedgerCorruptException(
                ledger.Location,
                $"block {lastId} has digest {digest.ToHex()[..16]}…, the head records {head.LastDigest.ToHex()[..16]}…"
            );
        }

        if (checkedCount > 0 && seq != head.LastSeqNum)
        {
            throw new LedgerCorruptException(
                ledger.Location,
                $"block {lastId} has sequence number {seq}, the head records {head.LastSeqNum}"
            );
        }

        return new ChainVerification(checkedCount, head);
    }

    /// <summary>Checks the whole chain, from block 1 and the ledger's genesis digest.</summary>
    public static ChainVerification Verify(ILedgerReader ledger) =>
        Verify(ledger, new BlockId(1), ledger.GenesisDigest);
}
