namespace Cairn.Backup;

/// <summary>A <c>checkpoint.json</c> that is missing, unreadable or invalid; the message is one line naming the
/// file.</summary>
public sealed class CheckpointMetadataException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The metadata file concerned.</summary>
    public string Path { get; } = path;
}
