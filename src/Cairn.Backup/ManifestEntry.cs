namespace Cairn.Backup;

/// <summary>One file of a checkpoint as the manifest records it: its path relative to the checkpoint ('/'-separated),
/// its size and the hex SHA-256 of its bytes.</summary>
public sealed record ManifestEntry(string Path, long Size, string Sha256);
