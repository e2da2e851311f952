using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Checks that a checkpoint's state is the one its quorum certificate covers: the certificate signs the last block's
/// digest, that block records the state digest, and the state column family, re-hashed from scratch (O(state)), must
/// give it. Whether the certificate's signatures are valid is <see cref="CheckpointVerifier"/>'s check.
/// </summary>
public static class CertifiedState
{
    /// <summary>What does not match, in one line, or null when the state is the certified one.</summary>
    public static string? FindMismatch(ILedgerReader reader, CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(metadata);
        var head = reader.Head;
        if (head.LastBlockId != metadata.LastBlockId)
        {
            return $"the database ends at block {head.LastBlockId}, "
                + $"the certificate is for block {metadata.LastBlockId}";
        }

        var (blockDigest, certified) =
            head.LastBlockId == BlockId.Genesis ? (reader.GenesisDigest, StateHash.Empty.Digest)
            : reader.GetBlock(head.LastBlockId) is { } block ? (block.Digest, block.StateDigest)
            : (Digest.Zero, Digest.Zero);
        if (blockDigest != metadata.Certificate.StateDigest)
        {
            return $"block {head.LastBlockId} has digest {blockDigest.ToHex()[..16]}…, the certificate certifies "
                + $"{metadata.Certificate.StateDigest.ToHex()[..16]}…";
        }

        var state = LedgerDigests.State(reader);
        if (state != certified)
        {
            return $"the state hashes to {state.ToHex()}, the certified block {head.LastBlockId} records "
                + certified.ToHex();
        }

        return metadata.StateDigest == certified
            ? null
            : $"checkpoint.json records state digest {metadata.StateDigest.ToHex()}, the certified block "
                + $"{head.LastBlockId} records {certified.ToHex()}";
    }

    /// <summary>Throws when <see cref="FindMismatch"/> finds something.</summary>
    /// <exception cref="DbCheckpointException">Naming <paramref name="checkpoint"/> and both digests.</exception>
    public static void Check(ILedgerReader reader, CheckpointMetadata metadata, string checkpoint)
    {
        if (FindMismatch(reader, metadata) is { } problem)
        {
            throw new DbCheckpointException(checkpoint, $"state does not match its certificate: {problem}");
        }
    }
}
