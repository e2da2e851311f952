namespace Cairn.Backup;

/// <summary>How far a long copy, hash or archive has come: bytes done of bytes to do.</summary>
public readonly record struct TransferProgress(long Done, long Total);
