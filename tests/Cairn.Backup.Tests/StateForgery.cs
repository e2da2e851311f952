using System.Text;
using Cairn.Ledger;
using RocksDbSharp;

namespace Cairn.Backup.Tests;

/// <summary>Alters a checkpoint's state the way a forger with write access would: one value changed with RocksDB
/// itself, then everything that is not signed rewritten to match (checkpoint.json's state digest, the manifest and,
/// optionally, the ledger's maintained state hash). Shared with Cairn.IntegrationTests.</summary>
internal static class StateForgery
{
    /// <returns>The digest of the altered state.</returns>
    public static Cairn.Core.Digest AlterValue(
        string checkpoint,
        string key,
        string value,
        bool rewriteMaintainedHash = false
    )
    {
        // The ledger's column families and its maintained-hash metadata key (docs/architecture.md).
        var families = new ColumnFamilies();
        foreach (var name in new[] { "blocks", "state", "metadata" })
        {
            families.Add(name, new ColumnFamilyOptions());
        }

        StateHash altered;
        using (var db = RocksDb.Open(new DbOptions(), checkpoint, families))
        {
            var state = db.GetColumnFamily("state");
            db.Put(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), state);
            var pairs = new List<KeyValuePair<byte[], byte[]>>();
            using (var iterator = db.NewIterator(state))
            {
                for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
                {
                    pairs.Add(KeyValuePair.Create(iterator.Key(), iterator.Value()));
                }
            }

            // The state hash scheme of the checkpoints this build takes.
            altered = StateHash.Of(StateHashScheme.Sha256Aes256Ctr, pairs);
            if (rewriteMaintainedHash)
            {
                db.Put("cairn.state_hash"u8.ToArray(), altered.ToBytes(), db.GetColumnFamily("metadata"));
            }
        }

        var metadataPath = Path.Combine(checkpoint, CheckpointMetadata.FileName);
        (CheckpointMetadata.Read(metadataPath) with { StateDigest = altered.Digest }).Write(metadataPath);
        CheckpointManifest.Create(checkpoint).Write(Path.Combine(checkpoint, CheckpointManifest.FileName));
        return altered.Digest;
    }
}
