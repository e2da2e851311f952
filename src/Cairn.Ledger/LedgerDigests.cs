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

    /// <summary>The state digest of the latest state: SHA-256 over every (key, value) in key order. Equal states give
    /// equal digests whatever history produced them.</summary>
    public static Digest State(ILedgerReader ledger)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(
            System.Security.Cryptography.HashAlgorithmName.SHA256
        );
        var writer = new CanonicalWriter(256);
        foreach (var (key, value) in ledger.ReadState())
        {
            writer.Clear();
            writer.WriteBytes(key).WriteBytes(value);
            hash.AppendData(writer.WrittenSpan);
        }

        return Digest.FromBytes(hash.GetHashAndReset());
    }
}
