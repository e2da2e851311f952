using RocksDbSharp;

namespace Cairn.Benchmarks;

/// <summary>A ledger database opened through RocksDbSharp directly, for the raw RocksDB baselines (the ledger does not
/// expose its handle).</summary>
internal static class RawRocksDb
{
    public static string[] FamilyNames(string path) => [.. RocksDb.ListColumnFamilies(new DbOptions(), path)];

    public static RocksDb Open(string path)
    {
        var families = new ColumnFamilies();
        foreach (var name in FamilyNames(path).Where(n => n != ColumnFamilies.DefaultName))
        {
            families.Add(name, new ColumnFamilyOptions());
        }

        return RocksDb.Open(new DbOptions(), path, families);
    }

    /// <summary>Flushes every column family's memtable and waits (RocksDbSharp's <c>Flush</c> covers only the default
    /// family).</summary>
    public static void FlushAll(RocksDb db, string path)
    {
        var flush = new FlushOptions().SetWaitForFlush(true);
        foreach (var family in FamilyNames(path))
        {
            Native.Instance.rocksdb_flush_cf(db.Handle, flush.Handle, db.GetColumnFamily(family).Handle);
        }
    }
}
