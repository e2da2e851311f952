using RocksDbSharp;

namespace Cairn.Ledger.Tests;

/// <summary>Opens a ledger's RocksDB directly, bypassing the ledger, to plant corruption the way a bad disk or a
/// tampering operator would.</summary>
internal static class RawRocksDb
{
    public static void Mutate(string path, Action<RocksDb> change) => Mutate(path, new ColumnFamilyOptions(), change);

    /// <summary>As <see cref="Mutate(string, Action{RocksDb})"/>, with compactions off: every flush stays a table
    /// file of its own.</summary>
    public static void MutateWithoutCompaction(string path, Action<RocksDb> change) =>
        Mutate(path, new ColumnFamilyOptions().SetDisableAutoCompactions(1), change);

    private static void Mutate(string path, ColumnFamilyOptions options, Action<RocksDb> change)
    {
        var families = new ColumnFamilies();
        foreach (var name in new[] { LedgerKeys.BlocksFamily, LedgerKeys.StateFamily, LedgerKeys.MetadataFamily })
        {
            families.Add(name, options);
        }

        using var db = RocksDb.Open(new DbOptions(), path, families);
        change(db);
    }

    public static void ReplaceBlock(string path, ulong id, Func<byte[], byte[]> change) =>
        Mutate(
            path,
            db =>
            {
                var blocks = db.GetColumnFamily(LedgerKeys.BlocksFamily);
                var key = LedgerKeys.BlockKey(new Cairn.Core.BlockId(id));
                db.Put(key, change(db.Get(key, blocks)), blocks);
            }
        );
}
