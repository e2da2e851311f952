namespace Cairn.Backup;

/// <summary>A DB checkpoint operation that failed for a reason an operator can act on (an unusable checkpoint
/// directory, a checkpoint that does not verify, an unknown id); the message is one line naming the path.</summary>
public sealed class DbCheckpointException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The checkpoint or checkpoint directory concerned.</summary>
    public string Path { get; } = path;
}
