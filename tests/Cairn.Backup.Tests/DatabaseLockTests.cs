using AwesomeAssertions;
using Cairn.Ledger;

namespace Cairn.Backup.Tests;

public sealed class DatabaseLockTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cairn-lock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_database_is_held_while_open_and_free_once_closed()
    {
        var database = Path.Combine(_root, "rocksdbdata");
        using (RocksDbLedger.Open(database, new LedgerOptions("lock-test")))
        {
            DatabaseLock.IsHeld(database).Should().BeTrue("RocksDB locks its LOCK file while the database is open");
        }

        DatabaseLock.IsHeld(database).Should().BeFalse();
        DatabaseLock.IsHeld(Path.Combine(_root, "missing")).Should().BeFalse();
    }
}
