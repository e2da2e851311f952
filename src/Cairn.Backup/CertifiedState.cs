using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Checks that a checkpoint's state is the one its quorum certificate covers: the certificate signs the digest of the
/// last block, or of a later block that the chain extension leads to from the last block (an intermittent backup,
/// <see cref="ChainExtension"/>); the last block records the state digest, and the state column family, re-hashed from
/// scratch (O(state)), must give it. Whether the certificate's signatures are valid is <see
/// cref="CheckpointVerifier"/>'s check.
/// </summary>
public static class CertifiedState
{
    /// <summary>What does not match, in one line, or null when the state is the certified one.</summary>
    public static string? FindMismatch(ILedgerReader reader, CheckpointMetadata metadata, ChainExtension extension)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(extension);
        var head = reader.Head;
        if (head.LastBlockId != metadata.LastBlockId)
        {
            return $"the database ends at block {head.LastBlockId}, "
                + $"the certificate is for block {metadata.LastBlockId}";
        }

        var (blockDigest, certified) =
            head.LastBlockId == BlockId.Genesis ? (reader.GenesisDigest, StateHash.EmptyDigest)
            : reader.GetBlock(head.LastBlockId) is { } block ? (block.Digest, block.StateDigest)
            : (Digest.Zero, Digest.Zero);
        if (extension.FindMismatch(head with { LastDigest = blockDigest }, metadata.Certificate) is { } unlinked)
        {
            return unlinked;
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
    public static void Check(
        ILedgerReader reader,
        CheckpointMetadata metadata,
        ChainExtension extension,
        string checkpoint
    )
    {
        if (FindMismatch(reader, metadata, extension) is { } problem)
        {
            throw new DbCheckpointException(checkpoint, $"state does not match its certificate: {problem}");
        }
    }
}
