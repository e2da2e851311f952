namespace Cairn.Backup;

/// <summary>A file's identity on disk (device and inode) and size: hard links to one file share an identity.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size);
