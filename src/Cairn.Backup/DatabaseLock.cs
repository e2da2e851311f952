using System.Globalization;

namespace Cairn.Backup;

/// <summary>Whether a RocksDB database is open in some process: RocksDB holds a POSIX lock on its <c>LOCK</c> file for
/// as long as it has the database open, and Linux lists every such lock in <c>/proc/locks</c>. This tells a running
/// replica from a stopped one however it was started (<c>cairn cluster up</c>, a service manager, by hand).</summary>
public static class DatabaseLock
{
    /// <summary>True when a process holds the lock of the database in <paramref name="databaseDirectory"/>; false when
    /// none does, the database does not exist, or the platform has no <c>/proc/locks</c>.</summary>
    public static bool IsHeld(string databaseDirectory)
    {
        var lockFile = Path.Combine(databaseDirectory, "LOCK");
        if (!File.Exists(lockFile) || !File.Exists("/proc/locks"))
        {
            return false;
        }

        var identity = PosixFiles.Identify(lockFile);
        // Each line: "1: POSIX  ADVISORY  WRITE 4711 08:01:123456 0 EOF", the device as hex major:minor.
        var wanted = string.Create(
            CultureInfo.InvariantCulture,
            $"{identity.Device >> 32:x2}:{identity.Device & 0xffff_ffff:x2}:{identity.Inode}"
        );
        return File.ReadLines("/proc/locks")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Contains(wanted, StringComparer.Ordinal));
    }
}
