namespace Cairn.Backup;

/// <summary>How many bytes are free on the file system holding a path. Tests give a nearly full disk through
/// it.</summary>
public interface IFreeSpace
{
    /// <summary>Bytes available to this process on the file system that holds <paramref name="path"/>.</summary>
    long AvailableBytes(string path);
}
