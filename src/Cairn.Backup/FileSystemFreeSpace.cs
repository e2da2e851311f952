namespace Cairn.Backup;

/// <summary>The real free space, from statvfs (through <see cref="DriveInfo"/>) of the nearest existing
/// directory.</summary>
public sealed class FileSystemFreeSpace : IFreeSpace
{
    /// <summary>The one instance: it holds no state.</summary>
    public static FileSystemFreeSpace Instance { get; } = new();

    public long AvailableBytes(string path)
    {
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? throw new DirectoryNotFoundException(path);
        }

        return new DriveInfo(existing).AvailableFreeSpace;
    }
}
