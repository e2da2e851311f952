namespace Cairn.Backup;

/// <summary>Sizes of directories counted by file identity, so that hard links shared between the live database and
/// checkpoints are told apart from the bytes a checkpoint alone holds.</summary>
internal static class DiskUsage
{
    /// <summary>Every regular file under <paramref name="directory"/>, by (device, inode), with its size.</summary>
    /// <param name="recursive">False for a live RocksDB directory: its files are all at the top, and the default
    /// checkpoint path is a subdirectory of it whose files must not count as the live database's.</param>
    public static Dictionary<(ulong Device, ulong Inode), long> FilesOf(string directory, bool recursive = true)
    {
        var files = new Dictionary<(ulong, ulong), long>();
        if (!Directory.Exists(directory))
        {
            return files;
        }

        try
        {
            foreach (
                var path in Directory.EnumerateFiles(
                    directory,
                    "*",
                    recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly
                )
            )
            {
                try
                {
                    var identity = PosixFiles.Identify(path);
                    files[(identity.Device, identity.Inode)] = identity.Size;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A file RocksDB deleted between listing and stat (compaction): it holds nothing any more.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The directory went away while we listed it (a checkpoint deleted by retention): it holds nothing.
        }

        return files;
    }

    /// <summary>Total bytes of the files under <paramref name="directory"/>.</summary>
    public static long SizeOf(string directory, bool recursive = true) => FilesOf(directory, recursive).Values.Sum();

    /// <summary>Bytes of <paramref name="own"/> that appear in none of <paramref name="others"/>.</summary>
    public static long ExclusiveBytes(
        Dictionary<(ulong, ulong), long> own,
        IEnumerable<Dictionary<(ulong, ulong), long>> others
    )
    {
        var shared = new HashSet<(ulong, ulong)>();
        foreach (var other in others)
        {
            shared.UnionWith(other.Keys);
        }

        return own.Where(f => !shared.Contains(f.Key)).Sum(f => f.Value);
    }
}
