namespace Cairn.Backup;

/// <summary>One directory under <c>db_checkpoint_path</c>, as <see cref="DbCheckpointDirectory.Scan"/> found
/// it.</summary>
/// <param name="Directory">Its full path.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Metadata">Its <c>checkpoint.json</c> when <see cref="DbCheckpointEntryKind.Complete"/>.</param>
/// <param name="Problem">Why it is not a complete checkpoint, for the operator; null when it is one.</param>
public sealed record DbCheckpointEntry(
    string Directory,
    DbCheckpointEntryKind Kind,
    CheckpointMetadata? Metadata,
    string? Problem
);
