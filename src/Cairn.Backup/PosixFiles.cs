using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cairn.Backup;

/// <summary>
/// What .NET does not expose: inode numbers (to tell which checkpoint files are hard links shared with the live
/// database) and fsync of a directory (to make a rename durable). Through statx(2), whose layout is the same on every
/// Linux architecture, and open/fsync/close.
/// </summary>
internal static partial class PosixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;

    private static bool _statxMissing;

    /// <summary>The file's identity, or an identity unique to this path when the platform has no statx.</summary>
    public static FileIdentity Identify(string path)
    {
        if (!_statxMissing)
        {
            try
            {
                var buffer = new byte[StatxSize];
                if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
                {
                    throw new IOException($"{path}: statx failed (errno {Marshal.GetLastPInvokeError()})");
                }

                var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(40));
                var inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
                var device =
                    ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32)
                    | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
                return new FileIdentity(device, inode, size);
            }
            catch (EntryPointNotFoundException)
            {
                _statxMissing = true;
            }
            catch (DllNotFoundException)
            {
                _statxMissing = true;
            }
        }

        // No inode numbers: every path counts as its own file (sizes are then an upper bound).
        return new FileIdentity(
            ulong.MaxValue,
            (ulong)StringComparer.Ordinal.GetHashCode(path),
            new FileInfo(path).Length
        );
    }

    /// <summary>Fsyncs a directory, so that entries created or renamed in it survive a power loss. A no-op where
    /// directories cannot be opened (Windows).</summary>
    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(path, 0);
        if (fd < 0)
        {
            throw new IOException(
                $"{path}: cannot open the directory to fsync it (errno {Marshal.GetLastPInvokeError()})"
            );
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"{path}: fsync of the directory failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>, which must not exist, through
    /// <paramref name="buffer"/>, reporting each chunk to <paramref name="counter"/>, and fsyncs the copy (its
    /// directory entry is the caller's to sync, once for all the files it copies there).</summary>
    public static void CopyDurably(string source, string target, byte[] buffer, IProgress<long> counter)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
            counter.Report(read);
        }

        output.Flush(flushToDisk: true);
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> in one atomic step: written to
    /// <c>PATH.tmp</c>, fsynced, renamed over it, and the directory fsynced (the rename is the commit point).</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        using (var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(path + ".tmp", path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Fsyncs a regular file.</summary>
    public static void SyncFile(string path)
    {
        using var handle = File.OpenHandle(
            path,
            FileMode.Open,
            FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete
        );
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Makes <paramref name="newPath"/> a hard link to <paramref name="existingPath"/>; false when the
    /// platform or the
    /// file systems do not allow it (another device, no hard links), so the caller copies instead.</summary>
    public static bool TryHardLink(string existingPath, string newPath)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        try
        {
            return Link(existingPath, newPath) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
