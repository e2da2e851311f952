using System.Text.Json;
using Cairn.Core;
using Cairn.Ledger;

namespace Cairn.Backup;

/// <summary>
/// Starts a new chain whose genesis state is a checkpoint's: block 1 of the new ledger (seq 1, the checkpoint's
/// consensus time) writes every application key of the checkpoint, plus the reserved key <c>\0genesis</c> recording the
/// source chain id, checkpoint id and digests. Cairn's own reserved state (reply cache, operator nonces, wedge, epoch)
/// belongs to the old chain and is left behind.
/// </summary>
public static class GenesisFromCheckpoint
{
    /// <summary>The reserved state key that records where a chain's genesis state came from.</summary>
    public static readonly byte[] GenesisKey = [0x00, .. "genesis"u8];

    /// <summary>Creates a ledger of chain <paramref name="chainId"/> at <paramref name="databaseDirectory"/> (which
    /// must not
    /// exist) holding the state of the checkpoint in <paramref name="checkpointDirectory"/>.</summary>
    /// <returns>The new ledger's head.</returns>
    /// <exception cref="DbCheckpointException">When the target exists or the checkpoint belongs to the same
    /// chain.</exception>
    public static LedgerHead Seed(
        string checkpointDirectory,
        CheckpointMetadata metadata,
        string databaseDirectory,
        string chainId
    )
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (Directory.Exists(databaseDirectory) && Directory.EnumerateFileSystemEntries(databaseDirectory).Any())
        {
            throw new DbCheckpointException(databaseDirectory, "already holds a database");
        }

        if (metadata.ChainId == chainId)
        {
            throw new DbCheckpointException(
                checkpointDirectory,
                $"belongs to chain '{chainId}' already; a new chain needs a new chain id"
            );
        }

        using var source = RocksDbLedger.OpenReadOnly(checkpointDirectory);
        var writes = source
            .ReadState()
            .Where(kv => kv.Key.Length == 0 || kv.Key[0] != 0x00)
            .Select(kv => StateWrite.Put(kv.Key, kv.Value))
            .ToList();
        writes.Add(
            StateWrite.Put(
                GenesisKey,
                JsonSerializer.SerializeToUtf8Bytes(
                    new
                    {
                        sourceChainId = metadata.ChainId,
                        sourceCheckpointId = metadata.Id.Value,
                        sourceSeqNum = metadata.SeqNum.Value,
                        sourceLastBlockDigest = metadata.LastBlockDigest.ToHex(),
                        sourceStateDigest = metadata.StateDigest.ToHex(),
                    },
                    JsonSerializerOptions.Web
                )
            )
        );
        using var ledger = RocksDbLedger.Open(databaseDirectory, new LedgerOptions(chainId));
        ledger.Append(new BlockProposal(new SeqNum(1), metadata.CreatedAt, writes));
        return ledger.Head;
    }
}
